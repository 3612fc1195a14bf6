"""The catalog in force, and how changes to it reach the rest of the service.

Whatever loads catalogs (a file or a ConfigMap) hands each candidate to the store:
``offer`` at start, ``reload`` while serving (``reload_from`` for a candidate that is
not one text, such as a ConfigMap's keys). An invalid candidate never replaces a
good catalog: the store keeps the last good one, logs why, and counts it.
Subscribers hear about every accepted change with the old and new catalogs.

Entries that ``discover`` rules made (``set_discovered``, from the cluster's
workloads) stand beside the explicit ones in the catalog in force; an explicit entry
wins over a discovered one with its ID. Such clashes, and workloads that cannot be
listed, are problems of the catalog like a refused reload: logged as errors and
handed to problem listeners (the ConfigMap loader records them as a Warning Event).

A large catalog takes seconds to parse and check (10,000 entries, each path
resolved against the file roots), so ``reload`` does that in a worker thread while
the event loop keeps serving. Reloads are taken one at a time, in the order they
were asked for, and the result is applied (and listeners called) on the loop: a
slow parse of an old text can never land after a newer one.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable

from ..errors import ConfigError
from ..files.roots import FileRoots
from ..metrics import Metrics
from .discovered import merged
from .model import Catalog, FileSpec, LogEntry
from .parsing import parse_catalog

log = logging.getLogger(__name__)

Listener = Callable[[Catalog, Catalog], None]
ProblemListener = Callable[[list[str]], None]


def root_problems(catalog: Catalog, roots: FileRoots) -> list[str]:
    """Every file log of ``catalog`` that lies outside the file roots, or is never readable."""
    problems = []
    for entry in catalog.entries.values():
        if isinstance(entry.source, FileSpec):
            problem = roots.problem(entry.source.path)
            if problem is not None:
                problems.append(f"log {entry.id!r}: {problem}")
    return problems


def checked(text: str, origin: str, roots: FileRoots) -> Catalog:
    """The catalog in ``text``, valid and inside the file roots (else ``ConfigError``)."""
    return within_roots(parse_catalog(text, origin), origin, roots)


def within_roots(catalog: Catalog, origin: str, roots: FileRoots) -> Catalog:
    """``catalog`` if every file log lies inside the file roots, else ``ConfigError``."""
    problems = root_problems(catalog, roots)
    if problems:
        raise ConfigError([f"{origin}: {p}" for p in problems])
    return catalog


def _parsed_within(parse: Callable[[], Catalog], origin: str, roots: FileRoots) -> Catalog:
    return within_roots(parse(), origin, roots)


class CatalogStore:
    def __init__(
        self, metrics: Metrics, catalog: Catalog | None = None, roots: FileRoots | None = None
    ) -> None:
        self._metrics = metrics
        #: File logs outside these are refused, at start and on every reload.
        self.roots = roots or FileRoots()
        self._catalog = catalog
        #: The catalog as loaded, before discovered entries join it.
        self._explicit = catalog
        self._discovered: dict[str, LogEntry] = {}
        self._discovery_problems: list[str] = []
        self.problems: list[str] = []
        """Discovery's problems and clashes with the catalog in force now."""
        self._listeners: list[Listener] = []
        self._problem_listeners: list[ProblemListener] = []
        self.last_error: str | None = None
        # asyncio.Lock wakes its waiters first come, first served: reloads keep order.
        self._reloading = asyncio.Lock()
        if catalog is not None:
            metrics.catalog_entries.set(len(catalog))

    @property
    def loaded(self) -> bool:
        return self._catalog is not None

    @property
    def current(self) -> Catalog:
        return self._catalog if self._catalog is not None else Catalog()

    @property
    def explicit(self) -> Catalog:
        """The catalog as loaded: its entries and rules, without discovered entries."""
        return self._explicit if self._explicit is not None else Catalog()

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def subscribe_problems(self, listener: ProblemListener) -> None:
        """``listener`` hears each new set of discovery problems (never an empty one)."""
        self._problem_listeners.append(listener)

    def set_discovered(self, entries: dict[str, LogEntry], problems: list[str]) -> bool:
        """The entries ``discover`` rules make now; True when the catalog changed."""
        self._discovered = entries
        self._discovery_problems = problems
        if self._explicit is None:
            return False
        return self._publish("discovery")

    def reject(self, reason: str) -> None:
        """A candidate could not even be read; the last good catalog stays."""
        self._metrics.catalog_reloads.labels("error").inc()
        self.last_error = reason
        log.error("%s; keeping the last good catalog", reason)

    def offer(self, text: str, origin: str) -> bool:
        """Parse ``text`` and put it in force if valid; True when the catalog changed.

        Parses on the calling thread: for the first load, before anything is served.
        Raises ``ConfigError`` when nothing good was loaded before.
        """
        try:
            catalog = checked(text, origin, self.roots)
        except ConfigError as exc:
            return self._refuse(exc, origin)
        return self._apply(catalog, origin)

    async def reload(self, text: str, origin: str) -> bool:
        """``offer``, with the parse in a worker thread; reloads apply in call order."""
        return await self.reload_from(functools.partial(parse_catalog, text, origin), origin)

    async def reload_from(self, parse: Callable[[], Catalog], origin: str) -> bool:
        """``reload`` of the catalog ``parse`` reads (it raises ``ConfigError`` if invalid)."""
        async with self._reloading:
            try:
                catalog = await asyncio.to_thread(_parsed_within, parse, origin, self.roots)
            except ConfigError as exc:
                return self._refuse(exc, origin)
            except Exception as exc:
                # A defect, not a bad catalog: still never lose the good one.
                log.exception("checking the catalog from %s failed", origin)
                reason = f"cannot check the catalog from {origin}: {exc!r}"
                if self._catalog is None:
                    raise ConfigError([reason]) from exc
                self.reject(reason)
                return False
            return self._apply(catalog, origin)

    def _refuse(self, exc: ConfigError, origin: str) -> bool:
        self._metrics.catalog_reloads.labels("invalid").inc()
        self.last_error = "; ".join(exc.problems)
        if self._catalog is None:
            raise exc
        log.error(
            "catalog rejected, keeping the last good one: %s",
            self.last_error,
            extra={"origin": origin, "problems": exc.problems},
        )
        return False

    def _apply(self, catalog: Catalog, origin: str) -> bool:
        self.last_error = None
        if self._explicit is not None and catalog == self._explicit:
            self._metrics.catalog_reloads.labels("unchanged").inc()
            return False
        self._explicit = catalog
        self._metrics.catalog_reloads.labels("ok").inc()
        self._publish(origin)
        return True

    def _publish(self, origin: str) -> bool:
        """Put the explicit catalog and the discovered entries in force, merged."""
        assert self._explicit is not None
        catalog, clashes = merged(self._explicit, self._discovered)
        self._report(self._discovery_problems + clashes)
        if self._catalog is not None and catalog == self._catalog:
            return False
        old = self.current
        self._catalog = catalog
        self._metrics.catalog_entries.set(len(catalog))
        log.info("catalog loaded", extra={"origin": origin, "entries": len(catalog)})
        for listener in list(self._listeners):
            try:
                listener(old, catalog)
            except Exception:
                log.exception("a catalog listener failed")
        return True

    def _report(self, problems: list[str]) -> None:
        if problems == self.problems:
            return
        self.problems = problems
        if not problems:
            return
        log.error("catalog problems: %s", "; ".join(problems), extra={"problems": problems})
        for listener in list(self._problem_listeners):
            try:
                listener(problems)
            except Exception:
                log.exception("a catalog problem listener failed")
