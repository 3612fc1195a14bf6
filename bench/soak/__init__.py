"""``make soak``: bounded fault and endurance scenarios that report figures.

Each scenario is a module of this package with ``NAME``, ``TITLE`` and
``async def run(workdir: Path, quick: bool) -> dict[str, object]``; the runner finds
them by name, so adding a scenario is adding a module. A scenario bounds its own
time (minutes at most), sends traffic only to loopback, stops by itself, and
returns its figures (lost and duplicated lines, RSS, ...) as a flat dictionary.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def scenarios() -> list[ModuleType]:
    """Every scenario module of this package, in name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "run") and hasattr(module, "NAME"):
            found.append(module)
    return found
