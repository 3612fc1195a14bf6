"""The catalog store: reloads are checked off the event loop, applied on it, in order."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

import pytest

from tailgate.catalog.model import Catalog
from tailgate.catalog.store import CatalogStore
from tailgate.errors import ConfigError
from tailgate.files.roots import FileRoots
from tailgate.metrics import Metrics

#: Long enough never to run out on a working store, however slow the machine.
PATIENCE = 20.0


@dataclass(frozen=True)
class WitnessRoots(FileRoots):
    """File roots whose check of one path waits until the event loop has run.

    If the check runs on the event loop itself, the loop cannot run until it
    returns: the wait runs out and ``loop_ran_during_check`` stays unset.
    """

    waiting_on: str = ""
    checking: threading.Event = field(default_factory=threading.Event)
    loop_ran: threading.Event = field(default_factory=threading.Event)
    loop_ran_during_check: threading.Event = field(default_factory=threading.Event)

    def problem(self, path: str) -> str | None:
        if path == self.waiting_on:
            self.checking.set()
            if self.loop_ran.wait(PATIENCE):
                self.loop_ran_during_check.set()
        return super().problem(path)

    async def run_the_loop_during_the_check(self) -> None:
        """From the loop: wait until the check has begun, then show the loop runs."""
        assert await asyncio.to_thread(self.checking.wait, PATIENCE), "no check began"
        self.loop_ran.set()


def catalog_text(*ids: str) -> str:
    return "logs:\n" + "".join(f"  - id: {i}\n    file: /var/log/{i}.log\n" for i in ids)


def metric(metrics: Metrics, result: str) -> float:
    value = metrics.registry.get_sample_value("tailgate_catalog_reloads_total", {"result": result})
    return value or 0.0


async def test_a_reload_is_checked_while_the_event_loop_keeps_running() -> None:
    roots = WitnessRoots(waiting_on="/var/log/b.log")
    store = CatalogStore(Metrics(), roots=roots)
    store.offer(catalog_text("a"), "c.yaml")
    reload = asyncio.create_task(store.reload(catalog_text("a", "b"), "c.yaml"))
    await roots.run_the_loop_during_the_check()
    assert await reload is True
    assert roots.loop_ran_during_check.is_set()
    assert sorted(store.current.entries) == ["a", "b"]


async def test_a_slow_reload_lands_before_a_later_one_and_listeners_see_both_in_order() -> None:
    roots = WitnessRoots(waiting_on="/var/log/slow.log")
    store = CatalogStore(Metrics(), roots=roots)
    store.offer(catalog_text("a"), "c.yaml")
    seen: list[list[str]] = []
    on_loop: list[bool] = []

    def listener(old: Catalog, new: Catalog) -> None:
        on_loop.append(threading.current_thread() is threading.main_thread())
        seen.append(sorted(new.entries))

    store.subscribe(listener)
    slow = asyncio.create_task(store.reload(catalog_text("slow"), "c.yaml"))
    assert await asyncio.to_thread(roots.checking.wait, PATIENCE)
    later = asyncio.create_task(store.reload(catalog_text("later"), "c.yaml"))
    await asyncio.sleep(0)  # the later reload is now waiting its turn
    roots.loop_ran.set()
    assert await asyncio.gather(slow, later) == [True, True]
    assert seen == [["slow"], ["later"]]
    assert on_loop == [True, True]
    assert sorted(store.current.entries) == ["later"]


async def test_an_invalid_reload_keeps_the_last_good_catalog() -> None:
    metrics = Metrics()
    store = CatalogStore(metrics)
    store.offer(catalog_text("a"), "c.yaml")
    assert await store.reload("logs: [1]\n", "c.yaml") is False
    assert list(store.current.entries) == ["a"]
    assert store.last_error is not None and "c.yaml:1" in store.last_error
    assert metric(metrics, "invalid") == 1


async def test_an_invalid_first_load_raises_as_at_start() -> None:
    store = CatalogStore(Metrics())
    with pytest.raises(ConfigError):
        await store.reload("logs: [1]\n", "c.yaml")
    assert not store.loaded


async def test_a_defect_while_checking_is_counted_and_keeps_the_last_good_catalog() -> None:
    @dataclass(frozen=True)
    class BrokenRoots(FileRoots):
        def problem(self, path: str) -> str | None:
            raise RuntimeError("broken")

    metrics = Metrics()
    store = CatalogStore(metrics, catalog=Catalog(), roots=BrokenRoots())
    assert await store.reload(catalog_text("a"), "c.yaml") is False
    assert len(store.current) == 0
    assert metric(metrics, "error") == 1
    assert store.last_error is not None and "RuntimeError" in store.last_error
