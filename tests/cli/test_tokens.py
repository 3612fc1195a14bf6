"""The terminal's sign-in over time: refresh when the token expires, logout, and what a
command says when there is no sign-in (exit 4)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.auth.provider import Provider

from .conftest import CLI_CLIENT_ID, Serve, Terminal
from .test_sign_in import device_login


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        yield client


def cached(terminal: Terminal) -> tuple[Path, dict[str, object]]:
    (path,) = terminal.credentials_files()
    return path, json.loads(path.read_text())


def expire(terminal: Terminal) -> dict[str, object]:
    """Make the cached access token look expired, as it will be after its lifetime."""
    path, data = cached(terminal)
    data["expires_at"] = time.time() - 1
    path.write_text(json.dumps(data))
    return data


async def test_an_expired_token_is_refreshed_once_and_the_new_refresh_token_kept(
    terminal: Terminal, serve_signed: Serve, provider: Provider, browser: httpx.AsyncClient
) -> None:
    async with serve_signed() as server:
        await device_login(terminal, server.base_url, browser, user="erin")
        before = provider.user_state("erin")
        old = expire(terminal)
        listed = await terminal.run("logs")
        _, new = cached(terminal)
        again = await terminal.run("logs")
    assert listed.proc.returncode == again.proc.returncode == 0, listed.stderr()
    assert listed.stdout() == again.stdout() == "ID    KIND  TITLE\nopen  file  open\n"
    after = provider.user_state("erin")
    # One refresh, by the first command only; the rotated token was stored, never reused.
    assert after["refreshes"] == before["refreshes"] + 1
    assert after["reuse_detected"] == 0
    assert new["refresh_token"] != old["refresh_token"]
    assert new["access_token"] != old["access_token"]
    assert float(new["expires_at"]) > time.time() + 60  # type: ignore[arg-type]


async def test_a_refresh_the_provider_refuses_ends_the_sign_in(
    terminal: Terminal, serve_signed: Serve, provider: Provider, browser: httpx.AsyncClient
) -> None:
    async with serve_signed() as server:
        await device_login(terminal, server.base_url, browser, user="frank")
        expire(terminal)
        provider.set_user("frank", disabled=True)
        try:
            refused = await terminal.run("tail", "open")
        finally:
            provider.set_user("frank", disabled=False)
    assert refused.proc.returncode == 4
    assert "the identity provider ended the sign-in (invalid_grant)" in refused.stderr()
    assert f"run `tailgate login --server {server.base_url}`" in refused.stderr()
    assert terminal.credentials_files() == []


async def test_logout_revokes_the_tokens_at_the_provider_and_deletes_them(
    terminal: Terminal, serve_signed: Serve, provider: Provider, browser: httpx.AsyncClient
) -> None:
    async with serve_signed() as server:
        await device_login(terminal, server.base_url, browser, user="gina")
        _, tokens = cached(terminal)
        logout = await terminal.run("logout")
        after = await terminal.run("logs", "--server", server.base_url)
        second = await terminal.run("logout", "--server", server.base_url)
    assert logout.proc.returncode == 0, logout.stderr()
    assert f"Signed out of {server.base_url}." in logout.stderr()
    assert terminal.credentials_files() == []
    assert after.proc.returncode == 4
    assert "not signed in" in after.stderr()
    assert second.proc.returncode == 0
    assert "Not signed in" in second.stderr()
    # The provider no longer knows the refresh token.
    async with httpx.AsyncClient() as http:
        metadata = (await http.get(provider.issuer + "/.well-known/openid-configuration")).json()
        spent = await http.post(
            metadata["token_endpoint"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": CLI_CLIENT_ID,
            },
        )
    assert spent.status_code == 400
    assert spent.json()["error"] == "invalid_grant"


async def test_without_a_sign_in_a_signed_server_answers_exit_4(
    terminal: Terminal, serve_signed: Serve
) -> None:
    async with serve_signed() as server:
        tail = await terminal.run("tail", "open", "--server", server.base_url)
        logs = await terminal.run("logs", "--server", server.base_url)
    for process in (tail, logs):
        assert process.proc.returncode == 4
        assert f"not signed in: run `tailgate login --server {server.base_url}`" in process.stderr()


async def test_a_server_without_a_terminal_client_says_so(
    terminal: Terminal, serve_signed: Serve
) -> None:
    async with serve_signed({"TAILGATE_CLI_CLIENT_ID": "", "TAILGATE_CLI_SCOPES": ""}) as server:
        async with server.session.get(f"{server.base_url}/api/client-config") as response:
            config = await response.json()
        login = await terminal.run("login", "--server", server.base_url)
    assert config == {
        "auth": "oidc",
        "issuer": config["issuer"],
        "client_id": None,
        "scopes": [],
        "audience": None,
    }
    assert login.proc.returncode == 1
    assert "its operator has not set TAILGATE_CLI_CLIENT_ID" in login.stderr()


async def test_two_commands_that_find_the_token_expired_refresh_it_once(
    terminal: Terminal, serve_signed: Serve, provider: Provider, browser: httpx.AsyncClient
) -> None:
    async with serve_signed() as server:
        await device_login(terminal, server.base_url, browser, user="ivan")
        before = provider.user_state("ivan")
        expire(terminal)
        together = [terminal.start("logs") for _ in range(3)]
        codes = [await process.wait_exit() for process in together]
    assert codes == [0, 0, 0], [p.stderr() for p in together]
    after = provider.user_state("ivan")
    # Rotated refresh tokens: a second refresh with the old one would revoke the grant.
    assert after["refreshes"] == before["refreshes"] + 1
    assert after["reuse_detected"] == 0
