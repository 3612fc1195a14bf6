"""Learning the provider's endpoints, and waiting out a provider that is down.

Everything tailgate asks the provider goes to an address its discovery document
(``/.well-known/openid-configuration``) names. A provider that is down or unreachable
when tailgate starts must not stop tailgate: the logs are still worth serving to
bearer-token clients once it returns, and a crash loop would not bring it back sooner.
So discovery runs as an owned background task that retries with capped exponential
backoff and raises a readiness flag when it succeeds; it refreshes the document now
and then, keeping the last good copy when a refresh fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from tailgate.auth.errors import ProviderUnavailable

from ..backoff import Backoff

logger = logging.getLogger(__name__)

WELL_KNOWN_PATH = "/.well-known/openid-configuration"


class DiscoveryError(Exception):
    """The discovery document could not be fetched or is not usable."""


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """The parts of a provider's discovery document that tailgate uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None
    revocation_endpoint: str | None = None
    """RFC 7009: where signing out revokes the session's refresh token."""

    iss_parameter_supported: bool = False
    """RFC 9207: the provider adds ``iss`` to its authorization responses."""

    code_challenge_methods: tuple[str, ...] = ()


def parse_metadata(document: Mapping[str, Any], *, expected_issuer: str) -> ProviderMetadata:
    """Check and keep what matters; the issuer must be exactly the configured one.

    OpenID Connect Discovery 1.0 section 4.3: a document naming another issuer must not
    be used, or tokens from that issuer would be accepted as ours.
    """
    issuer = document.get("issuer")
    if issuer != expected_issuer:
        raise DiscoveryError(f"document names issuer {issuer!r}, expected {expected_issuer!r}")

    def url(name: str) -> str:
        value = document.get(name)
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise DiscoveryError(f"document has no usable {name!r}")
        return value

    def optional_url(name: str) -> str | None:
        value = document.get(name)
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return value
        return None

    end_session = document.get("end_session_endpoint")
    methods = document.get("code_challenge_methods_supported")
    return ProviderMetadata(
        issuer=expected_issuer,
        authorization_endpoint=url("authorization_endpoint"),
        token_endpoint=url("token_endpoint"),
        jwks_uri=url("jwks_uri"),
        end_session_endpoint=end_session if isinstance(end_session, str) else None,
        revocation_endpoint=optional_url("revocation_endpoint"),
        iss_parameter_supported=document.get("authorization_response_iss_parameter_supported")
        is True,
        code_challenge_methods=tuple(m for m in methods or () if isinstance(m, str)),
    )


async def fetch_metadata(http: httpx.AsyncClient, issuer: str) -> ProviderMetadata:
    """Fetch and check the discovery document of ``issuer``."""
    try:
        response = await http.get(issuer.rstrip("/") + WELL_KNOWN_PATH)
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as e:
        raise DiscoveryError(f"cannot fetch the discovery document: {e}") from e
    if not isinstance(document, dict):
        raise DiscoveryError("the discovery document is not a JSON object")
    return parse_metadata(document, expected_issuer=issuer)


#: Retry after 0.5-1 s, 1-2 s, 2-4 s ... then every 15-30 s.
DEFAULT_BACKOFF = Backoff(first=1.0, ceiling=30.0)


class Discovery:
    """The provider's metadata, kept current by a background task.

    Run it with ``async with discovery.running():`` (from the app's cleanup context);
    the task stops when the block ends.
    """

    def __init__(
        self,
        issuer: str,
        http: httpx.AsyncClient,
        *,
        backoff: Backoff = DEFAULT_BACKOFF,
        refresh_interval: float = 3600.0,
    ) -> None:
        self.issuer = issuer
        self._http = http
        self._backoff = backoff
        self._refresh_interval = refresh_interval
        self._metadata: ProviderMetadata | None = None
        self._ready = asyncio.Event()
        self._attempted = asyncio.Event()
        self.last_error: str | None = None
        """Why the last attempt failed, for logs and the readiness endpoint."""

    @property
    def ready(self) -> bool:
        return self._metadata is not None

    @property
    def metadata(self) -> ProviderMetadata:
        """The current metadata; ``ProviderUnavailable`` until the first fetch succeeds."""
        if self._metadata is None:
            raise ProviderUnavailable(self.last_error or "discovery has not completed yet")
        return self._metadata

    async def wait_ready(self) -> ProviderMetadata:
        """Wait for the metadata; bound the wait with ``asyncio.timeout``."""
        await self._ready.wait()
        return self.metadata

    async def wait_attempt(self) -> None:
        """Wait until the next attempt to fetch the document has finished, either way."""
        self._attempted.clear()
        await self._attempted.wait()

    async def refresh(self) -> ProviderMetadata:
        """Fetch the document now; on failure the last good copy stays in use."""
        try:
            metadata = await fetch_metadata(self._http, self.issuer)
        except DiscoveryError as e:
            self.last_error = str(e)
            raise
        finally:
            self._attempted.set()
        if self._metadata is None:
            logger.info("OpenID provider %s is ready", self.issuer)
        self._metadata = metadata
        self.last_error = None
        self._ready.set()
        return metadata

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Discovery]:
        task = asyncio.create_task(self._run(), name=f"oidc discovery {self.issuer}")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        delays = self._backoff.delays()
        while True:
            try:
                await self.refresh()
            except DiscoveryError as e:
                delay = next(delays)
                log = logger.warning if self._metadata is None else logger.info
                log("OpenID provider %s: %s; retrying in %.1fs", self.issuer, e, delay)
                await asyncio.sleep(delay)
            except Exception:
                # A bug must not end discovery for good: log it and keep trying.
                delay = next(delays)
                logger.exception("discovery of %s failed; retrying in %.1fs", self.issuer, delay)
                await asyncio.sleep(delay)
            else:
                delays = self._backoff.delays()
                await asyncio.sleep(self._refresh_interval)
