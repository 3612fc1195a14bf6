"""A catalog ConfigMap's keys as the parts of one catalog: pure.

``logs.yaml`` holds a catalog in the usual format; every other key whose value is an
absolute path is a short entry (the key is the ID, the value the file). Other keys
(notes, READMEs) are ignored. Both parts go to the one catalog parser
(``parsing.parse_catalog_parts``): ``logs.yaml`` is read once, with the limits of a
catalog file (no aliases, bounded nesting and size), its problems keep its lines,
and a short entry's problems name its key. Parsing a large catalog takes seconds:
``CatalogStore.reload_from`` runs it in a worker thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .model import Catalog
from .parsing import parse_catalog_parts

CATALOG_KEY = "logs.yaml"


def short_entries(data: Mapping[str, str]) -> dict[str, str]:
    """The keys that are short entries (ID to file path), in the ConfigMap's order."""
    return {
        key: value.strip()
        for key, value in data.items()
        if key != CATALOG_KEY and value.strip().startswith("/") and "\n" not in value.strip()
    }


@dataclass(frozen=True, slots=True)
class CatalogParts:
    """All of a ConfigMap that the catalog reads: ``logs.yaml`` and the short entries."""

    text: str | None
    short: dict[str, str]

    @classmethod
    def of(cls, data: Mapping[str, str]) -> CatalogParts:
        return cls(data.get(CATALOG_KEY), short_entries(data))

    def origin(self, ref: str) -> str:
        """What the catalog from these parts of the ConfigMap ``ref`` is called in logs."""
        if self.text is None:
            return ref
        if not self.short:
            return f"{ref}/{CATALOG_KEY}"
        return f"{ref} ({CATALOG_KEY} and short entries)"

    def parse(self, ref: str) -> Catalog:
        """The catalog in these parts of the ConfigMap ``ref``; else ``ConfigError``."""
        return parse_catalog_parts(self.text, f"{ref}/{CATALOG_KEY}", self.short, ref)


def configmap_catalog(data: Mapping[str, str], ref: str) -> Catalog:
    """The catalog in the ConfigMap ``ref`` whose data is ``data``; else ``ConfigError``."""
    return CatalogParts.of(data).parse(ref)
