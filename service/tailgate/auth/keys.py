"""The provider's public signing keys, cached, and refetched when a new one appears.

Every token check needs the key that signed it. Fetching the JWKS per token would put
the provider in the path of every request, so the keys are cached. Providers rotate
keys by publishing a new one and signing with it: a token whose ``kid`` is not in the
cache makes the cache refetch once. Refetches are rate-limited, so a stream of tokens
with made-up ``kid`` values cannot turn tailgate into a flood against the provider.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, Key

from tailgate.auth.errors import ProviderUnavailable, UnknownSigningKey

logger = logging.getLogger(__name__)

#: Fetches the JWKS document; raises ``ProviderUnavailable`` when it cannot.
JwksFetcher = Callable[[], Awaitable[Mapping[str, Any]]]


def http_jwks_fetcher(http: httpx.AsyncClient, jwks_uri: Callable[[], str]) -> JwksFetcher:
    """A fetcher reading the JWKS at the URI the provider's metadata currently names."""

    async def fetch() -> Mapping[str, Any]:
        try:
            response = await http.get(jwks_uri())
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as e:
            raise ProviderUnavailable(f"cannot fetch the provider's keys: {e}") from e
        if not isinstance(document, dict):
            raise ProviderUnavailable("the provider's JWKS is not a JSON object")
        return document

    return fetch


def import_signing_keys(document: Mapping[str, Any]) -> dict[str | None, Key]:
    """The signature keys in a JWKS document, by ``kid``; others are skipped.

    Keys meant for encryption, or of a type this library cannot read, are left out one by
    one rather than failing the whole set: a provider adding such a key must not break
    sign-in.
    """
    keys: dict[str | None, Key] = {}
    for entry in document.get("keys") or ():
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        try:
            key = JWKRegistry.import_key(entry)
        except (JoseError, ValueError, TypeError) as e:
            logger.info("skipping a JWKS entry that cannot be used: %s", e)
            continue
        keys[key.kid] = key
    return keys


class SigningKeys:
    """The current signing keys, by ``kid``."""

    def __init__(
        self,
        fetch: JwksFetcher,
        *,
        min_refetch_interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._min_interval = min_refetch_interval
        self._clock = clock
        self._keys: dict[str | None, Key] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0
        """How many times the JWKS was fetched; for metrics and tests."""

    async def key_for(self, kid: str | None) -> Key:
        """The key for ``kid`` (``None``: the token names none; only a lone key fits)."""
        key = self._lookup(kid)
        if key is not None:
            return key
        async with self._lock:
            key = self._lookup(kid)  # another task may have refetched meanwhile
            if key is None and self._may_fetch():
                await self._refetch()
                key = self._lookup(kid)
        if key is None:
            if not self._keys:
                raise ProviderUnavailable("the provider's signing keys are not known yet")
            raise UnknownSigningKey(f"no published key has kid {kid!r}")
        return key

    def _lookup(self, kid: str | None) -> Key | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid)

    def _may_fetch(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._min_interval

    async def _refetch(self) -> None:
        self._fetched_at = self._clock()
        self.fetches += 1
        document = await self._fetch()
        self._keys = import_signing_keys(document)
        logger.info("fetched %d signing keys from the provider", len(self._keys))
