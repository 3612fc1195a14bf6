"""The catalog: which log IDs exist, what each one names, and who may see it."""

from .model import Allow, Catalog, FileSpec, LogEntry
from .parsing import parse_catalog

__all__ = ["Allow", "Catalog", "FileSpec", "LogEntry", "parse_catalog"]
