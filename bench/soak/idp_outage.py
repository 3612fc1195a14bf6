"""The identity provider down and back: signed-in people keep reading, nothing is lost.

A user signs in at the test provider (tests/oidc) and tails a log written at a steady
rate, reopening the tail with its cursor whenever the server asks (1013), as the page
does, while a pane calls the API twice a second. The provider is then frozen
(SIGSTOP: it accepts connections and never answers, the worst kind of outage) for
several session-refresh intervals, and thawed; even the short run freezes it for
longer than a refresh request's connect timeout plus the pause before a retry, so a
refresh that was sent again while the first was still unanswered would show (the
provider takes the second use of a rotated token as theft and signs the user out).
Figures: lines lost and duplicated, the API's answers and slowest answer in each
phase, what ``/login`` and ``/readyz`` said during the outage, whether the user was
signed out, and whether a new sign-in works once the provider is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import time
from pathlib import Path

import aiohttp
import httpx

NAME = "idp_outage"
TITLE = "identity provider frozen for several refresh intervals, then back"

RATE = 100  # lines per second


async def run(workdir: Path, quick: bool) -> dict[str, object]:
    from tests.auth.conftest import settings_for
    from tests.auth.provider import free_port, running_provider
    from tests.auth_web.conftest import catalog
    from tests.auth_web.web_user import WebUser
    from tests.support.tails import running_server

    from tailgate.auth.session import SESSION_COOKIE
    from tailgate.web.context import SERVICES

    refresh = 1.0 if quick else 3.0
    phases = (
        {"before": 2.0, "outage": 16.0, "after": 3.0}
        if quick
        else {"before": 10.0, "outage": 45.0, "after": 15.0}
    )
    log = workdir / "app.log"
    log.write_text("")
    app_url = f"http://127.0.0.1:{free_port()}"
    figures: dict[str, object] = {
        "session_refresh_s": refresh,
        **{f"{k}_s": v for k, v in phases.items()},
    }
    with running_provider(app_url=app_url) as provider:
        settings = settings_for(provider, app_url, session_refresh=refresh)
        async with running_server(workdir, catalog({"app": log}), auth=settings) as server:
            auth = server.app[SERVICES].auth
            assert auth is not None
            async with asyncio.timeout(10):
                await auth.discovery.wait_ready()
            async with WebUser.create(app_url, provider) as user:
                await user.sign_in("alice")
                phase = "before"
                written = 0
                received: list[int] = []
                closes: dict[str, int] = {}
                answers: dict[str, dict[str, int]] = {p: {} for p in phases}
                slowest: dict[str, float] = dict.fromkeys(phases, 0.0)
                stop = asyncio.Event()
                tailing = asyncio.Event()

                async def writer() -> None:
                    nonlocal written
                    # Every line counts from the first: write once the tail has begun.
                    await tailing.wait()
                    with log.open("a") as f:
                        while not stop.is_set():
                            f.write(f"line-{written:08d}\n")
                            f.flush()
                            written += 1
                            await asyncio.sleep(1 / RATE)

                async def tail() -> None:
                    cursor: str | None = None
                    while not stop.is_set():
                        headers = {"Origin": app_url}
                        if user.session_cookie:
                            headers["Cookie"] = f"{SESSION_COOKIE}={user.session_cookie}"
                        query = f"?cursor={cursor}" if cursor else "?backlog=0"
                        async with aiohttp.ClientSession() as http:
                            ws = await http.ws_connect(
                                f"{app_url.replace('http', 'ws', 1)}/ws/tail/app{query}",
                                headers=headers,
                            )
                            async for message in ws:
                                if stop.is_set():
                                    break
                                frame = message.json()
                                if frame["type"] == "hello":
                                    tailing.set()
                                elif frame["type"] == "lines":
                                    received.extend(int(x.split("-")[1]) for x in frame["lines"])
                                    cursor = frame["cursor"]
                            await ws.close()
                            code = str(ws.close_code)
                            closes[code] = closes.get(code, 0) + 1
                            if stop.is_set() or code not in ("1013", "1001", "1006"):
                                return
                        await asyncio.sleep(0.2)

                async def pane() -> None:
                    while not stop.is_set():
                        started = time.monotonic()
                        response = await user.get("/api/me")
                        took = time.monotonic() - started
                        now = phase
                        key = str(response.status_code)
                        answers[now][key] = answers[now].get(key, 0) + 1
                        slowest[now] = max(slowest[now], took)
                        await asyncio.sleep(0.5)

                tasks = [asyncio.create_task(c) for c in (writer(), tail(), pane())]
                try:
                    await asyncio.sleep(phases["before"])
                    phase = "outage"
                    os.kill(provider.process.pid, signal.SIGSTOP)
                    try:
                        await asyncio.sleep(phases["outage"] / 2)
                        async with httpx.AsyncClient(base_url=app_url, timeout=30) as client:
                            started = time.monotonic()
                            login = await client.get("/login")
                            figures["login_during_outage"] = login.status_code
                            figures["login_during_outage_s"] = round(time.monotonic() - started, 2)
                            readyz = await client.get("/readyz")
                            figures["readyz_during_outage"] = readyz.status_code
                        await asyncio.sleep(phases["outage"] / 2)
                    finally:
                        os.kill(provider.process.pid, signal.SIGCONT)
                    phase = "after"
                    await asyncio.sleep(phases["after"])
                finally:
                    stop.set()
                    for task in tasks:
                        task.cancel()
                    for task in tasks:
                        with contextlib.suppress(asyncio.CancelledError, Exception):
                            await task
                async with WebUser.create(app_url, provider) as other:
                    figures["sign_in_after"] = (await other.sign_in("bob")).status_code
                figures["still_signed_in"] = (await user.get("/api/me")).status_code == 200
    seen = set(received)
    last = max(seen) if seen else -1
    figures["lines_written"] = written
    figures["last_line_received"] = last
    figures["lines_received"] = len(received)
    figures["lost"] = sum(1 for n in range(last + 1) if n not in seen)
    figures["duplicated"] = len(received) - len(seen)
    figures["out_of_order"] = sum(1 for a, b in itertools.pairwise(received) if b < a)
    figures["tail_closes"] = closes
    figures["api_answers"] = answers
    figures["api_slowest_s"] = {k: round(v, 2) for k, v in slowest.items()}
    return figures
