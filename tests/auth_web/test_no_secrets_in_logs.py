"""Cookies, codes, tokens and secrets never reach a log line.

tailgate's own loggers and those of the libraries it signs in with are captured at
DEBUG, everything else at INFO. The test's own browser is an httpx client too: its
request lines (to the app, and to the provider's pages only a browser visits) are left
out, since they are not tailgate's logs; the app's own calls to the provider stay in.
"""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tailgate.auth.flow import LOGIN_COOKIE
from tailgate.auth.session import SessionCodec
from tailgate.logs import JsonFormatter
from tailgate.web.context import SERVICES
from tests.auth.conftest import SESSION_SECRET
from tests.auth.provider import Provider, tokens_for

from .conftest import Serve
from .web_user import WebUser


async def test_no_secret_appears_in_any_log_record(
    serve: Serve, user: WebUser, provider: Provider, app_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for name in ("tailgate", "aiohttp", "authlib"):
        caplog.set_level(logging.DEBUG, logger=name)
    secrets: dict[str, str] = {
        "client secret": provider.client_secret,
        "session secret": SESSION_SECRET,
    }
    async with serve(session_refresh=1.0) as server:
        start = await user.start_sign_in("/")
        secrets["sign-in cookie"] = user.http.cookies[LOGIN_COOKIE]
        secrets["state"] = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        await user.sign_in("alice")
        assert user.session_cookie is not None and user.callback_url is not None
        secrets["session cookie"] = user.session_cookie
        secrets["code"] = parse_qs(urlsplit(user.callback_url).query)["code"][0]

        codec = SessionCodec(SESSION_SECRET, max_age=3600)
        secrets["refresh token"] = str(codec.open(user.session_cookie).refresh_token)

        tail = await user.tail("ops")
        await tail.expect("hello")
        await tail.read_lines(2)
        auth = server.app[SERVICES].auth
        assert auth is not None
        # Once due, the next request refreshes the session and brings a new cookie.
        first_cookie = user.session_cookie
        deadline = time.monotonic() + 10
        while user.session_cookie == first_cookie:
            assert time.monotonic() < deadline, "the session was not refreshed"
            await asyncio.sleep(0.1)
            me_response = await user.get("/api/me")
        assert auth.refresher.spent >= 1
        secrets["refreshed session cookie"] = user.session_cookie
        secrets["rotated refresh token"] = str(codec.open(user.session_cookie).refresh_token)
        assert secrets["rotated refresh token"] != secrets["refresh token"]
        me = me_response.json()
        secrets["sign-out token"] = me["logout"]["csrf"]
        async with httpx.AsyncClient(base_url=app_url) as other:
            altered = {"Cookie": f"tailgate_session={secrets['session cookie']}x"}
            assert (await other.get("/api/logs", headers=altered)).status_code == 401

        async with httpx.AsyncClient(follow_redirects=False) as browser:
            tokens, _ = await tokens_for(auth, provider, browser, user="bob")
        for name in ("access_token", "id_token", "refresh_token"):
            if isinstance(tokens.get(name), str):
                secrets[name] = tokens[name]
        for name in ("access_token", "id_token"):
            await user.get("/api/me", headers={"Authorization": f"Bearer {tokens[name]}"})
        refused = await user.tail("ops", bearer=tokens["id_token"])
        await refused.expect_close(4401)

        # The first tail may have been asked to reopen meanwhile (1013, its session is
        # checked every second here): the one signing out closes is opened just before.
        await tail.close()
        tail = await user.tail("ops")
        await tail.expect("hello")
        await user.post("/logout", data={"csrf": "wrong"}, headers={"Origin": app_url})
        await user.post("/logout", data={"csrf": secrets["sign-out token"]})
        await tail.expect_close(4401)

    browser_side = (app_url, f"{provider.issuer}/auth", f"{provider.issuer}/interaction/")
    formatter = JsonFormatter()
    lines = [
        formatter.format(record)
        for record in caplog.records
        if not (record.name == "httpx" and str(record.args[1]).startswith(browser_side))  # type: ignore[index]
    ]
    assert any(line.startswith("{") and "/token" in line for line in lines)
    assert any('"event": "tail_ended"' in line for line in lines)
    assert any('"event": "signed_in"' in line for line in lines)
    assert any("session refreshed" in line for line in lines)
    assert any("signed out" in line and "revoked=True" in line for line in lines)
    for name, value in secrets.items():
        assert len(value) >= 16, name
        leaked = [line for line in lines if value in line]
        assert not leaked, f"the {name} is in the logs: {leaked[0][:300]}"
