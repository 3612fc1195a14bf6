"""A tail outlives its access token: the server closes it (4401) when the token expires,
and the client refreshes the token and resumes with its cursor, losing nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.auth.provider import Provider, running_provider

from .conftest import Serve, Terminal, audit
from .test_sign_in import device_login

#: Seconds the terminal client's access tokens live at this test's provider.
TOKEN_LIFETIME = 3


@pytest.fixture
def provider(app_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    """A provider of its own whose tokens for the terminal expire within seconds."""
    monkeypatch.setenv("OIDC_CLI_ACCESS_TOKEN_TTL", str(TOKEN_LIFETIME))
    with running_provider(app_url=app_url, log_path=tmp_path / "provider.log") as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        yield client


async def test_a_tail_whose_token_expires_refreshes_it_and_resumes_without_loss(
    terminal: Terminal,
    serve_signed: Serve,
    provider: Provider,
    browser: httpx.AsyncClient,
    logs: dict[str, Path],
) -> None:
    async with serve_signed() as server:
        await device_login(terminal, server.base_url, browser, user="hana")
        tail = terminal.start("tail", "open")
        await tail.wait_stdout(lambda lines: len(lines) == 2)
        refreshes = provider.user_state("hana")["refreshes"]
        # The server closes the tail when the token expires; until then lines flow.
        with logs["open"].open("a") as out:
            out.write("before expiry\n")
        await tail.wait_stdout(lambda lines: len(lines) == 3)
        await tail.wait_stderr("reconnected")
        with logs["open"].open("a") as out:
            out.write("after expiry\n")
        lines = await tail.wait_stdout(lambda lines: len(lines) == 4)
        tail.interrupt()
        assert await tail.wait_exit() == 130
    assert lines == ["open open one", "open open two", "open before expiry", "open after expiry"]
    assert provider.user_state("hana")["refreshes"] > refreshes
    assert provider.user_state("hana")["reuse_detected"] == 0
    ended = audit(server, "tail_ended")
    assert 4401 in {r["close_code"] for r in ended}
    assert {r["via"] for r in ended} == {"cli"}
