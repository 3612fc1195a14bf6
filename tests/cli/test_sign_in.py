"""``tailgate login`` at the real provider: the device grant, the loopback redirect, and
what the server then lets the terminal see, with the audit saying ``via: cli``."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.auth.provider import Provider, sign_in
from tests.support.tails import wait_for

from .conftest import CLI_CLIENT_ID, Serve, Terminal, audit
from .provider_pages import approve_device, provider_get, provider_post

DEVICE_PROMPT = r"open (\S+) and enter the code (\S+)\n  or open (\S+)\n"


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        yield client


def redirect_of(authorize_url: str) -> str:
    (redirect_uri,) = parse_qs(urlsplit(authorize_url).query)["redirect_uri"]
    assert re.fullmatch(r"http://127\.0\.0\.1:[0-9]+/callback", redirect_uri)
    return redirect_uri


async def device_login(
    terminal: Terminal, server: str, browser: httpx.AsyncClient, user: str = "alice"
) -> None:
    login = terminal.start("login", "--server", server)
    prompt = await login.wait_stderr(DEVICE_PROMPT)
    page = await approve_device(browser, prompt.group(3), user=user)
    assert "Sign-in Success" in page
    assert await login.wait_exit() == 0, login.stderr()
    assert f"Signed in to {server} as {user}." in login.stderr()


async def test_device_sign_in_then_logs_and_tails_follow_the_users_access(
    terminal: Terminal, serve_signed: Serve, provider: Provider, browser: httpx.AsyncClient
) -> None:
    async with serve_signed() as server:
        polls_before = len(provider_get(provider.issuer, "/test/device/polls")["polls"])
        await device_login(terminal, server.base_url, browser)
        # The server of the last login is the default from now on.
        listed = await terminal.run("logs", "--json")
        tail = terminal.start("tail", "ops", "open")
        lines = await tail.wait_stdout(lambda lines: len(lines) == 4)
        tail.interrupt()
        assert await tail.wait_exit() == 130
        refused = await terminal.run("tail", "dev")
    assert json.loads(listed.stdout())["logs"] == [
        {"id": "ops", "title": "ops", "kind": "file"},
        {"id": "open", "title": "open", "kind": "file"},
    ]
    assert sorted(lines) == ["open open one", "open open two", "ops ops one", "ops ops two"]
    assert refused.proc.returncode == 5
    assert "dev: You are signed in, but this log is not shared with you." in refused.stderr()
    # The audit tells the terminal from the browser, with the same rules applied.
    started = audit(server, "tail_started")
    assert {(r["log_id"], r["user"], r["via"]) for r in started} == {
        ("ops", "alice", "cli"),
        ("open", "alice", "cli"),
    }
    (refusal,) = audit(server, "refused")
    assert (refusal["reason"], refusal["via"], refusal["close_code"]) == ("forbidden", "cli", 4403)
    # Polling kept the provider's interval: it never had to say slow_down.
    polls = provider_get(provider.issuer, "/test/device/polls")["polls"][polls_before:]
    assert polls and all(poll["error"] != "slow_down" for poll in polls)


async def test_tokens_are_cached_per_server_readable_by_the_user_only(
    terminal: Terminal, serve_signed: Serve, browser: httpx.AsyncClient
) -> None:
    async with serve_signed() as server:
        await device_login(terminal, server.base_url, browser)
    (cached,) = terminal.credentials_files()
    assert cached.is_relative_to(terminal.config / "tailgate")
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert stat.S_IMODE(cached.parent.stat().st_mode) == 0o700
    data = json.loads(cached.read_text())
    assert data["server"] == server.base_url
    assert data["client_id"] == CLI_CLIENT_ID
    assert data["refresh_token"]


async def test_a_slow_down_from_the_provider_makes_the_client_poll_five_seconds_slower(
    terminal: Terminal, serve_signed: Serve, provider: Provider, browser: httpx.AsyncClient
) -> None:
    async with serve_signed() as server:
        before = len(provider_get(provider.issuer, "/test/device/polls")["polls"])
        provider_post(provider.issuer, "/test/device/slow-down")
        login = terminal.start("login", "--server", server.base_url)
        prompt = await login.wait_stderr(DEVICE_PROMPT)

        def polls() -> list[dict[str, object]]:
            return provider_get(provider.issuer, "/test/device/polls")["polls"][before:]

        # Approved only once the provider has said slow_down: the next poll shows the pace.
        await wait_for(lambda: len(polls()) >= 1, timeout=15, interval=0.2)
        await approve_device(browser, prompt.group(3))
        assert await login.wait_exit(timeout=30) == 0, login.stderr()
    seen = polls()
    assert seen[0]["error"] == "slow_down"
    assert all(poll["error"] != "slow_down" for poll in seen[1:])
    # RFC 8628 3.5: after slow_down the interval (1 s here) grows by 5 seconds.
    assert int(seen[1]["at"]) - int(seen[0]["at"]) >= 6000  # type: ignore[call-overload]


async def test_a_device_refused_at_the_provider_ends_the_login_with_sign_in_needed(
    terminal: Terminal, serve_signed: Serve, browser: httpx.AsyncClient
) -> None:
    async with serve_signed() as server:
        login = terminal.start("login", "--server", server.base_url)
        prompt = await login.wait_stderr(DEVICE_PROMPT)
        page = await approve_device(browser, prompt.group(3), abort=True)
        assert "The Sign-in request was interrupted" in page
        assert await login.wait_exit() == 4
    assert "the sign-in was refused at the identity provider" in login.stderr()
    assert terminal.credentials_files() == []


async def test_loopback_sign_in_with_pkce_where_a_browser_is_at_hand(
    terminal: Terminal, serve_signed: Serve, browser: httpx.AsyncClient
) -> None:
    async with serve_signed() as server:
        login = terminal.start("login", "--server", server.base_url, "--flow", "loopback")
        prompt = await login.wait_stderr(r"in a browser on this machine:\n  (\S+)\n")
        authorize = prompt.group(1)
        assert "code_challenge_method=S256" in authorize
        assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in authorize
        redirect_uri = redirect_of(authorize)
        callback = await sign_in(browser, authorize, redirect_uri=redirect_uri, user="bob")
        page = await browser.get(callback)
        assert "Signed in to tailgate" in page.text
        assert await login.wait_exit() == 0, login.stderr()
        listed = await terminal.run("logs", "--server", server.base_url)
    assert "as bob." in login.stderr()
    assert [line.split()[0] for line in listed.stdout().splitlines()] == ["ID", "dev", "open"]


async def test_a_forged_callback_is_refused_and_the_real_one_still_signs_in(
    terminal: Terminal, serve_signed: Serve, browser: httpx.AsyncClient
) -> None:
    async with serve_signed() as server:
        login = terminal.start("login", "--server", server.base_url, "--flow", "loopback")
        prompt = await login.wait_stderr(r"in a browser on this machine:\n  (\S+)\n")
        authorize = prompt.group(1)
        redirect_uri = redirect_of(authorize)
        forged = await browser.get(f"{redirect_uri}?code=x&state=guess")
        assert forged.status_code == 400
        callback = await sign_in(browser, authorize, redirect_uri=redirect_uri)
        await browser.get(callback)
        assert await login.wait_exit() == 0, login.stderr()


async def test_login_with_browser_opens_the_page_the_code_is_entered_on(
    tmp_path: Path,
    terminal: Terminal,
    serve_signed: Serve,
    browser: httpx.AsyncClient,
) -> None:
    # The browser this machine would open ($BROWSER): it writes down what it was asked.
    opened = tmp_path / "opened.txt"
    opener = tmp_path / "open-browser"
    opener.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {opened}\n')
    opener.chmod(0o755)
    async with serve_signed() as server:
        login = terminal.start("login", "--server", server.base_url, "--browser",
                               env={"BROWSER": str(opener)})  # fmt: skip
        prompt = await login.wait_stderr(DEVICE_PROMPT)
        await wait_for(lambda: opened.exists() and opened.read_text().strip() != "")
        assert opened.read_text().splitlines() == [prompt.group(3)]
        page = await approve_device(browser, opened.read_text().strip(), user="alice")
        assert "Sign-in Success" in page
        assert await login.wait_exit() == 0, login.stderr()
    # Without --browser nothing is opened.
    async with serve_signed() as server:
        plain = terminal.start("login", "--server", server.base_url, env={"BROWSER": str(opener)})
        await plain.wait_stderr(DEVICE_PROMPT)
        plain.interrupt()
        assert await plain.wait_exit() == 130
    assert len(opened.read_text().splitlines()) == 1
