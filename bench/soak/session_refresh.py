"""Sessions refreshed under load: many panes of one browser on two replicas, rotation on.

A user signs in at the test provider (tests/oidc, which rotates refresh tokens at every
use and revokes the grant when a spent token comes back). Several panes then make API
requests to either of two tailgate replicas sharing only the cookie key, sharing one
cookie jar as a browser's panes do, while several tails stay open on either replica
and are reopened when they ask (1013). The panes stop half-way, so that in the second
half only the tails' reopenings check the session. The session is refreshed every
``refresh`` seconds. Nothing may sign the user out: every request answered 200, no tail
closed 4401, and the provider never saw a spent token.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from pathlib import Path

import aiohttp
import httpx

from tailgate.auth.session import SESSION_COOKIE
from tailgate.web.context import SERVICES

NAME = "session_refresh"
TITLE = "panes and tails of one browser on two replicas, refresh tokens rotated"

PANES = 6
TAILS = 4


class Jar:
    """The browser's one cookie jar: every pane sends the newest session cookie."""

    def __init__(self, cookie: str) -> None:
        self.cookie = cookie
        self.updates = 0

    def take(self, headers: list[str]) -> None:
        for header in headers:
            name, _, rest = header.partition("=")
            if name.strip() == SESSION_COOKIE:
                self.cookie = rest.split(";", 1)[0]
                self.updates += 1


async def run(workdir: Path, quick: bool) -> dict[str, object]:
    # The provider and the app fixtures of the tests, started by hand.
    from tests.auth.conftest import settings_for
    from tests.auth.provider import free_port, running_provider
    from tests.auth_web.conftest import catalog
    from tests.auth_web.web_user import WebUser
    from tests.support.tails import running_server

    duration = 16.0 if quick else 90.0
    # The owner of a session stands aside a quarter of an interval before another
    # replica may take it over, which is safe while the provider answers a refresh
    # within that quarter (75 s at the default interval). A loaded test machine takes up
    # to about a second; at 2 s intervals (half a second aside) the owner and a replica
    # taking over did spend one token together now and then.
    refresh = 4.0
    log = workdir / "app.log"
    log.write_text("one\n")
    text = catalog({"app": log})
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    figures: dict[str, object] = {"duration_s": duration, "session_refresh_s": refresh}
    with running_provider(app_url=urls[0]) as provider:
        name = f"soak{random.randrange(10**6)}"
        provider.set_user(name, groups=["ops"])
        async with contextlib.AsyncExitStack() as stack:
            servers = []
            for index, url in enumerate(urls):
                folder = workdir / f"replica-{index}"
                folder.mkdir()
                settings = settings_for(provider, url, session_refresh=refresh)
                server = await stack.enter_async_context(
                    running_server(folder, text, auth=settings)
                )
                servers.append(server)
            for server in servers:
                running = server.app[SERVICES].auth
                assert running is not None
                async with asyncio.timeout(10):
                    await running.discovery.wait_ready()
            user = await stack.enter_async_context(WebUser.create(urls[0], provider))
            await user.sign_in(name)
            assert user.session_cookie is not None
            jar = Jar(user.session_cookie)
            counts = {"requests": 0, "ok": 0, "refused": 0, "tails_opened": 0}
            closes: dict[str, int] = {}
            deadline = time.monotonic() + duration
            panes_end = time.monotonic() + duration / 2
            async with (
                httpx.AsyncClient(timeout=10) as http,
                aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as ws_client,
            ):

                async def pane() -> None:
                    while time.monotonic() < panes_end:
                        base = random.choice(urls)
                        response = await http.get(
                            f"{base}/api/logs",
                            headers={"Cookie": f"{SESSION_COOKIE}={jar.cookie}"},
                        )
                        http.cookies.clear()
                        jar.take(response.headers.get_list("set-cookie"))
                        counts["requests"] += 1
                        counts["ok" if response.status_code == 200 else "refused"] += 1
                        await asyncio.sleep(random.uniform(0, 0.3))

                async def tail() -> None:
                    while time.monotonic() < deadline:
                        base = random.choice(urls)
                        ws = await ws_client.ws_connect(
                            f"{base.replace('http', 'ws', 1)}/ws/tail/app",
                            headers={"Origin": base, "Cookie": f"{SESSION_COOKIE}={jar.cookie}"},
                        )
                        jar.take(ws._response.headers.getall("Set-Cookie", []))
                        counts["tails_opened"] += 1
                        try:
                            async with asyncio.timeout(max(0.1, deadline - time.monotonic())):
                                async for _ in ws:
                                    pass
                        except TimeoutError:
                            await ws.close()
                            return
                        code = str(ws.close_code)
                        closes[code] = closes.get(code, 0) + 1
                        if code != "1013":
                            return
                        await asyncio.sleep(0.2)  # the page's first retry delay, roughly

                await asyncio.gather(
                    *(pane() for _ in range(PANES)), *(tail() for _ in range(TAILS))
                )
            spent = 0
            for server in servers:
                running = server.app[SERVICES].auth
                assert running is not None
                spent += running.refresher.spent
        state = provider.user_state(name)
    figures.update(counts)
    figures["tail_closes"] = closes
    figures["cookie_updates"] = jar.updates
    figures["refreshes_sent"] = spent
    figures["provider_refreshes"] = state["refreshes"]
    figures["provider_reuse_detected"] = state["reuse_detected"]
    figures["signed_out"] = counts["refused"] > 0 or "4401" in closes
    return figures
