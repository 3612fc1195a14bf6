"""Discovery: the document must name our issuer; a provider that is down is waited out."""

from __future__ import annotations

import asyncio
import itertools
import random
import re

import httpx
import pytest

from tailgate.auth.discovery import DiscoveryError, fetch_metadata, parse_metadata
from tailgate.auth.errors import ProviderUnavailable
from tailgate.auth.oidc import OidcAuth
from tailgate.backoff import Backoff

from .conftest import settings_for
from .provider import Provider, free_port, running_provider

DOCUMENT = {
    "issuer": "https://id.example.com",
    "authorization_endpoint": "https://id.example.com/auth",
    "token_endpoint": "https://id.example.com/token",
    "jwks_uri": "https://id.example.com/jwks",
    "end_session_endpoint": "https://id.example.com/logout",
    "authorization_response_iss_parameter_supported": True,
    "code_challenge_methods_supported": ["plain", "S256"],
}


def test_a_document_for_our_issuer_gives_its_endpoints() -> None:
    metadata = parse_metadata(DOCUMENT, expected_issuer="https://id.example.com")
    assert metadata.token_endpoint == "https://id.example.com/token"
    assert metadata.end_session_endpoint == "https://id.example.com/logout"
    assert metadata.iss_parameter_supported
    assert metadata.code_challenge_methods == ("plain", "S256")


def test_a_document_naming_another_issuer_is_refused() -> None:
    with pytest.raises(DiscoveryError, match=re.escape("expected 'https://id.example.com/'")):
        parse_metadata(DOCUMENT, expected_issuer="https://id.example.com/")


def test_a_document_without_a_token_endpoint_is_refused() -> None:
    document = {k: v for k, v in DOCUMENT.items() if k != "token_endpoint"}
    with pytest.raises(DiscoveryError, match="token_endpoint"):
        parse_metadata(document, expected_issuer="https://id.example.com")


def test_optional_endpoints_may_be_missing() -> None:
    document = {
        k: v
        for k, v in DOCUMENT.items()
        if k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    }
    metadata = parse_metadata(document, expected_issuer="https://id.example.com")
    assert metadata.end_session_endpoint is None
    assert not metadata.iss_parameter_supported


def test_retries_back_off_exponentially_up_to_a_cap() -> None:
    delays = list(itertools.islice(Backoff(first=1, ceiling=10).delays(random.Random(3)), 6))
    for delay, step in zip(delays, [1, 2, 4, 8, 10, 10], strict=True):
        assert step / 2 <= delay <= step


def test_retry_delays_are_jittered_within_bounds() -> None:
    delays = list(itertools.islice(Backoff(first=1, ceiling=1).delays(), 50))
    assert all(0.5 <= d <= 1 for d in delays)
    assert len(set(delays)) > 1


async def test_a_provider_down_at_start_up_is_waited_for_and_used_once_it_answers(
    provider: Provider, app_url: str
) -> None:
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    settings = settings_for(provider, app_url, issuer=issuer)
    async with OidcAuth.running(settings, backoff=Backoff(0.05, 0.2)) as auth:
        async with asyncio.timeout(10):
            await auth.discovery.wait_attempt()
        assert not auth.ready
        assert auth.discovery.last_error is not None
        with pytest.raises(ProviderUnavailable):
            auth.begin_login("/")

        with running_provider(app_url=app_url, port=port) as second:
            assert second.issuer == issuer
            async with asyncio.timeout(10):
                await auth.discovery.wait_ready()
            assert auth.ready
            assert auth.begin_login("/").url.startswith(issuer + "/auth?")

        # Gone again: a failed refresh keeps the last good metadata.
        with pytest.raises(DiscoveryError):
            await auth.discovery.refresh()
        assert auth.ready
        assert auth.discovery.last_error is not None


async def test_discovery_stops_with_its_owner(provider: Provider, app_url: str) -> None:
    settings = settings_for(provider, app_url)
    before = asyncio.all_tasks()
    async with OidcAuth.running(settings) as auth:
        async with asyncio.timeout(10):
            await auth.discovery.wait_ready()
        assert len(asyncio.all_tasks() - before) == 1
    assert asyncio.all_tasks() == before


async def test_an_issuer_that_is_not_a_provider_is_never_ready() -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(DiscoveryError):
            await fetch_metadata(http, f"http://127.0.0.1:{free_port()}")
