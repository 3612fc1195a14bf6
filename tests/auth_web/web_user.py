"""A person with a browser, without the browser: a cookie jar, redirects, and tails.

Plain HTTP does what a browser would: ``/login`` sends it to the provider, the provider's
login form is filled in (``tests/auth/provider.py``), the provider sends it back to
``/auth/callback``, and the session cookie lands in the jar. Tails are WebSockets that
carry the cookie and the page's ``Origin``, as a browser sends them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx

from tailgate.auth.flow import LOGIN_COOKIE
from tailgate.auth.session import SESSION_COOKIE
from tests.auth.provider import Provider, sign_in
from tests.support.tails import TailClient


@dataclass
class WebUser:
    app_url: str
    provider: Provider
    http: httpx.AsyncClient
    ws_client: aiohttp.ClientSession
    callback_url: str | None = None
    """The last callback the provider sent this browser to."""
    login_cookie: str | None = None
    """The sign-in cookie that went with it."""

    @classmethod
    @asynccontextmanager
    async def create(cls, app_url: str, provider: Provider) -> AsyncIterator[WebUser]:
        async with (
            httpx.AsyncClient(follow_redirects=False, timeout=10) as http,
            aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as ws_client,
        ):
            yield cls(app_url, provider, http, ws_client)

    @property
    def session_cookie(self) -> str | None:
        return self.http.cookies.get(SESSION_COOKIE)

    async def start_sign_in(self, next_path: str | None = "/") -> httpx.Response:
        """``/login``: the redirect to the provider, with the sign-in cookie set."""
        params = {} if next_path is None else {"next": next_path}
        return await self.http.get(f"{self.app_url}/login", params=params)

    async def sign_in(self, name: str = "alice", next_path: str | None = "/") -> httpx.Response:
        """Sign in at the provider; returns the app's answer to the callback."""
        start = await self.start_sign_in(next_path)
        assert start.status_code == 302, start.text
        self.login_cookie = self.http.cookies.get(LOGIN_COOKIE)
        self.callback_url = await sign_in(
            self.http,
            start.headers["location"],
            redirect_uri=self.provider.redirect_uri,
            user=name,
        )
        return await self.http.get(self.callback_url)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(self.app_url + path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.post(self.app_url + path, **kwargs)

    async def tail(
        self,
        log_id: str,
        *,
        origin: str | None = None,
        cookie: str | None = None,
        bearer: str | None = None,
    ) -> TailClient:
        """A tail as the page opens it: the session cookie and the page's own Origin."""
        headers = {"Origin": origin or self.app_url}
        cookie = cookie if cookie is not None else self.session_cookie
        if cookie:
            headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        ws = await self.ws_client.ws_connect(
            f"{self.app_url}/ws/tail/{log_id}", headers=headers, autoping=True
        )
        return TailClient(ws)
