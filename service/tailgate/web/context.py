"""What the web layer shares across requests, kept under one typed app key."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from ..auth.oidc import OidcAuth
from ..catalog.store import CatalogStore
from ..files.inotify import InotifyHub
from ..files.registry import FollowerRegistry
from ..metrics import Metrics
from ..settings import Settings
from ..sources import SourceFactory
from .sessions import SessionRegistry


@dataclass(eq=False)
class Services:
    settings: Settings
    metrics: Metrics
    catalog: CatalogStore
    sessions: SessionRegistry
    hub: InotifyHub | None = None
    followers: FollowerRegistry | None = None
    sources: SourceFactory | None = None
    auth: OidcAuth | None = None
    """Sign-in, while the app runs with ``--auth oidc``; ``None`` with ``--auth none``."""
    shutting_down: bool = field(default=False)


SERVICES = web.AppKey("services", Services)
