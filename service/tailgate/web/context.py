"""What the web layer shares across requests, kept under one typed app key.

The composition root (``tailgate.composition``) builds every service and hands them
over complete; handlers never wait for or check a service that is not there yet. The
one real absence is sign-in: ``auth`` is ``None`` exactly when it is off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from ..auth.oidc import OidcAuth
from ..catalog.store import CatalogStore
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
    """The open tails, admitted under the caps."""
    sources: SourceFactory
    """Turns a catalog entry into the source a tail reads."""
    followers: FollowerRegistry
    """The file followers the file sources share."""
    auth: OidcAuth | None
    """Sign-in with ``--auth oidc``; ``None`` with ``--auth none``, where nobody signs in."""
    shutting_down: bool = field(default=False)


SERVICES = web.AppKey("services", Services)
