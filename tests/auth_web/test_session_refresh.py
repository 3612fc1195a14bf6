"""Access follows the provider: sessions are refreshed, refusals end them, copies stop working.

The provider rotates refresh tokens at every use and revokes the whole grant when a
rotated-out token comes back, so each test also checks that tailgate never presented
one (``reuse_detected`` stays 0) unless the test is about exactly that.
"""

from __future__ import annotations

import asyncio
import dataclasses
import http.cookiejar
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tailgate.auth.session import SESSION_COOKIE, Session, SessionCodec
from tailgate.web.context import SERVICES
from tests.auth.conftest import SESSION_SECRET, settings_for
from tests.auth.provider import Provider, free_port
from tests.support.tails import RunningServer, TailClient, running_server

from .conftest import RULES, Serve, catalog
from .web_user import WebUser

#: Seconds between checks in these tests: short, so a test sees several.
REFRESH = 1.0
#: How long a test waits for what must happen within a few refresh intervals.
WITHIN = 10.0


def new_user(provider: Provider, groups: list[str]) -> str:
    """A user of this test alone (the provider lives for the whole test session)."""
    name = f"u{secrets.token_hex(4)}"
    provider.set_user(name, groups=groups, disabled=False)
    return name


def codec() -> SessionCodec:
    return SessionCodec(SESSION_SECRET, max_age=3600)


def session_of(cookie: str) -> Session:
    return codec().open(cookie)


def aged(cookie: str, seconds: float) -> str:
    """The same session, as if the provider had last confirmed it ``seconds`` ago."""
    session = session_of(cookie)
    return codec().seal_session(dataclasses.replace(session, checked_at=int(time.time() - seconds)))


async def until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Ask ``check`` until it holds: the event here is a refresh the app schedules itself."""
    deadline = time.monotonic() + WITHIN
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {WITHIN}s: {what}")
        await asyncio.sleep(0.1)


def browser_without_jar() -> httpx.AsyncClient:
    """A client that sends only the cookie each request names (it keeps none it is sent)."""
    keep_none = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(timeout=10, cookies=keep_none)


def set_cookie(response: httpx.Response) -> str | None:
    """The session cookie ``response`` sets, if any."""
    return set_cookie_of(response.headers.get_list("set-cookie"))


def set_cookie_of(headers: list[str]) -> str | None:
    for header in headers:
        name, _, rest = header.partition("=")
        if name.strip() == SESSION_COOKIE:
            return rest.split(";", 1)[0]
    return None


async def log_ids(http: httpx.AsyncClient, base: str, cookie: str) -> list[str] | int:
    response = await http.get(f"{base}/api/logs", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    if response.status_code != 200:
        return response.status_code
    return [entry["id"] for entry in response.json()["logs"]]


async def tail_on(server: RunningServer, log_id: str, cookie: str) -> TailClient:
    """A tail opened on ``server`` with ``cookie``, from that server's own page."""
    headers = {"Origin": server.base_url, "Cookie": f"{SESSION_COOKIE}={cookie}"}
    return TailClient(await server.session.ws_connect(server.ws_url(log_id), headers=headers))


@asynccontextmanager
async def replica(
    tmp_path: Path, provider: Provider, logs: dict[str, Path], refresh: float = REFRESH
) -> AsyncIterator[RunningServer]:
    """A second tailgate sharing nothing with the first but the cookie key.

    Started without the ``serve`` fixture's leak check, which would count the first
    server's connections, opened meanwhile, as this one's.
    """
    url = f"http://127.0.0.1:{free_port()}"
    settings = settings_for(provider, url, session_refresh=refresh)
    text = catalog(logs, allow=RULES)
    folder = tmp_path / "replica"
    folder.mkdir(exist_ok=True)
    async with running_server(folder, text, auth=settings) as server:
        auth = server.app[SERVICES].auth
        assert auth is not None
        async with asyncio.timeout(10):
            await auth.discovery.wait_ready()
        yield server


async def test_an_unverified_email_does_not_open_a_log_listed_by_that_address(
    serve: Serve, user: WebUser, other_user: WebUser, logs: dict[str, Path]
) -> None:
    rules = {**RULES, "ops": "{users: [alice@example.com]}", "dev": "{users: [carol]}"}
    async with serve(catalog(logs, allow=rules)):
        # mallory typed alice's address in; the provider says email_verified: false.
        await user.sign_in("mallory")
        me = (await user.get("/api/me")).json()
        assert me["email"] == "alice@example.com"
        listed = [entry["id"] for entry in (await user.get("/api/logs")).json()["logs"]]
        assert "ops" not in listed
        refused = await user.tail("ops")
        await refused.expect_close(4403)

        await other_user.sign_in("alice")
        listed = [entry["id"] for entry in (await other_user.get("/api/logs")).json()["logs"]]
        assert "ops" in listed


async def test_a_log_listed_by_subject_opens_for_that_user(
    serve: Serve, user: WebUser, logs: dict[str, Path]
) -> None:
    async with serve(catalog(logs, allow={"dev": "{users: [carol]}"})):
        await user.sign_in("carol")  # this provider's subjects are the login names
        tail = await user.tail("dev")
        await tail.expect("hello")
        assert await tail.read_lines(2) == ["dev one", "dev two"]
        await tail.close()


async def test_a_group_removed_at_the_provider_closes_the_tail_and_changes_the_list(
    serve: Serve, user: WebUser, provider: Provider
) -> None:
    name = new_user(provider, ["ops"])
    async with serve(session_refresh=REFRESH):
        await user.sign_in(name)
        assert [e["id"] for e in (await user.get("/api/logs")).json()["logs"]] == ["ops", "open"]
        ops = await user.tail("ops")
        await ops.expect("hello")
        kept = await user.tail("open")
        await kept.expect("hello")

        provider.set_user(name, groups=[])

        async def listed_without_ops() -> bool:
            ids = [e["id"] for e in (await user.get("/api/logs")).json()["logs"]]
            return ids == ["open"]

        # The page's own requests refresh the session; the tails learn it from them.
        await until(listed_without_ops, "/api/logs drops the log")
        reason = await ops.expect_close(4403, timeout=WITHIN)
        assert "no longer" in reason
        assert (await user.get("/api/me")).json()["groups"] == []
        assert kept.ws.close_code is None
        await kept.close()
    assert provider.user_state(name)["reuse_detected"] == 0


async def test_a_tail_nobody_rechecks_is_reopened_and_the_reopening_is_refused(
    serve: Serve, user: WebUser, provider: Provider
) -> None:
    name = new_user(provider, ["ops"])
    async with serve(session_refresh=REFRESH):
        await user.sign_in(name)
        ops = await user.tail("ops")
        await ops.expect("hello")
        provider.set_user(name, groups=[])
        # No request comes by: the tail asks to be reopened (the page retries 1013)...
        reason = await ops.expect_close(1013, timeout=WITHIN)
        assert "reconnecting" in reason
        # ...and the new handshake checks the session with the provider.
        again = await user.tail("ops")
        await again.expect_close(4403)
    assert provider.user_state(name)["reuse_detected"] == 0


async def test_a_group_added_at_the_provider_opens_its_logs_at_the_next_refresh(
    serve: Serve, user: WebUser, provider: Provider
) -> None:
    name = new_user(provider, [])
    async with serve(session_refresh=REFRESH):
        await user.sign_in(name)
        refused = await user.tail("ops")
        await refused.expect_close(4403)
        provider.set_user(name, groups=["ops"])

        async def listed() -> bool:
            ids = [e["id"] for e in (await user.get("/api/logs")).json()["logs"]]
            return "ops" in ids

        await until(listed, "/api/logs lists the log")
        tail = await user.tail("ops")
        await tail.expect("hello")
        await tail.close()


async def test_a_user_disabled_at_the_provider_is_signed_out_of_tails_and_http(
    serve: Serve, user: WebUser, provider: Provider
) -> None:
    name = new_user(provider, ["ops"])
    async with serve(session_refresh=REFRESH):
        await user.sign_in(name)
        tail = await user.tail("ops")
        await tail.expect("hello")
        lonely = await user.tail("open")
        await lonely.expect("hello")

        provider.set_user(name, disabled=True)

        async def signed_out() -> bool:
            response = await user.get("/api/me")
            return response.status_code == 401 and response.json()["error"] == "session_revoked"

        await until(signed_out, "HTTP answers as signed out")
        reason = await tail.expect_close(4401, timeout=WITHIN)
        assert "identity provider" in reason
        await lonely.expect_close(4401, timeout=WITHIN)
        again = await user.tail("open")
        await again.expect_close(4401)


async def test_a_copied_cookie_stops_working_after_sign_out_by_its_next_refresh(
    serve: Serve, user: WebUser, provider: Provider, tmp_path: Path, logs: dict[str, Path]
) -> None:
    name = new_user(provider, ["ops"])
    async with serve(session_refresh=REFRESH), replica(tmp_path, provider, logs) as other:
        await user.sign_in(name)
        copy = user.session_cookie
        assert copy is not None
        async with browser_without_jar() as thief:
            assert await log_ids(thief, other.base_url, copy) == ["ops", "open"]
            csrf = (await user.get("/api/me")).json()["logout"]["csrf"]
            signed_out = await user.post("/logout", data={"csrf": csrf})
            assert signed_out.status_code == 303
            # Where the user signed out, at once; elsewhere, by the copy's next refresh.
            assert await log_ids(thief, user.app_url, copy) == 401

            async def refused_elsewhere() -> bool:
                return await log_ids(thief, other.base_url, copy) == 401

            await until(refused_elsewhere, "the other replica refuses the copy")
            tail = await tail_on(other, "ops", copy)
            await tail.expect_close(4401)


async def test_the_provider_counts_a_spent_refresh_token_presented_again_and_ends_the_grant(
    serve: Serve, user: WebUser, provider: Provider
) -> None:
    # What every ``reuse_detected == 0`` here relies on: the count does move.
    name = new_user(provider, ["ops"])
    async with serve(session_refresh=300):
        await user.sign_in(name)
        assert user.session_cookie is not None
        token = session_of(user.session_cookie).refresh_token
        assert token is not None
        async with httpx.AsyncClient(auth=(provider.client_id, provider.client_secret)) as http:
            endpoint = f"{provider.issuer}/token"
            form = {"grant_type": "refresh_token", "refresh_token": token}
            first = await http.post(endpoint, data=form)
            again = await http.post(endpoint, data=form)
            rotated = {**form, "refresh_token": first.json()["refresh_token"]}
            after = await http.post(endpoint, data=rotated)
    assert first.status_code == 200
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    assert after.status_code == 400  # the whole grant was revoked
    state = provider.user_state(name)
    assert (state["refreshes"], state["reuse_detected"]) == (1, 1)


async def test_concurrent_requests_with_one_due_cookie_refresh_it_once_on_each_process(
    serve: Serve, user: WebUser, provider: Provider
) -> None:
    name = new_user(provider, ["ops"])
    async with serve(session_refresh=30) as server:
        await user.sign_in(name)
        assert user.session_cookie is not None
        due = aged(user.session_cookie, 31)  # one interval old: its owner refreshes it
        async with browser_without_jar() as panes:
            answers = await asyncio.gather(*(log_ids(panes, user.app_url, due) for _ in range(8)))
        assert answers == [["ops", "open"]] * 8
        auth = server.app[SERVICES].auth
        assert auth is not None
        assert auth.refresher.spent == 1
        assert server.metric("tailgate_session_refreshes_total", result="ok") == 1
    state = provider.user_state(name)
    assert (state["refreshes"], state["reuse_detected"]) == (1, 0)


async def test_two_replicas_reached_at_once_by_one_due_cookie_do_not_sign_the_user_out(
    serve: Serve, user: WebUser, provider: Provider, tmp_path: Path, logs: dict[str, Path]
) -> None:
    name = new_user(provider, ["ops"])
    async with serve(session_refresh=30) as owner, replica(tmp_path, provider, logs, 30) as other:
        await user.sign_in(name)
        assert user.session_cookie is not None
        due = aged(user.session_cookie, 31)
        bases = [owner.base_url, other.base_url] * 4
        async with browser_without_jar() as panes:
            answers = await asyncio.gather(*(log_ids(panes, base, due) for base in bases))
            assert answers == [["ops", "open"]] * 8
            # The copy the owner answered with, and the old one, go on working everywhere.
            newest = set_cookie(
                await panes.get(
                    f"{owner.base_url}/api/me", headers={"Cookie": f"{SESSION_COOKIE}={due}"}
                )
            )
            auth_a = owner.app[SERVICES].auth
            assert auth_a is not None
            assert newest is not None, auth_a.refresher.spent
            for cookie in (newest, due):
                for base in (owner.base_url, other.base_url):
                    assert await log_ids(panes, base, cookie) == ["ops", "open"]
    state = provider.user_state(name)
    assert (state["refreshes"], state["reuse_detected"]) == (1, 0)


async def test_a_replica_takes_over_a_session_whose_owner_went_away(
    serve: Serve, user: WebUser, provider: Provider, tmp_path: Path, logs: dict[str, Path]
) -> None:
    name = new_user(provider, ["ops"])
    async with serve(session_refresh=30):
        await user.sign_in(name)
        assert user.session_cookie is not None
        cookie = user.session_cookie
    # The replica that signed the user in is gone (a rolling update replaced it).
    provider.set_user(name, groups=[])
    async with browser_without_jar() as browser:
        # Checked by its owner 1.5 intervals ago: trusted; two intervals: taken over.
        async with replica(tmp_path, provider, logs, 30) as other:
            assert await log_ids(browser, other.base_url, aged(cookie, 45)) == ["ops", "open"]
        async with replica(tmp_path, provider, logs, 30) as other:
            assert await log_ids(browser, other.base_url, aged(cookie, 61)) == ["open"]
    state = provider.user_state(name)
    assert (state["refreshes"], state["reuse_detected"]) == (1, 0)


async def test_a_reopened_tail_brings_the_refreshed_cookie_to_the_browser(
    serve: Serve, user: WebUser, provider: Provider
) -> None:
    name = new_user(provider, ["ops"])
    async with serve(session_refresh=REFRESH) as server:
        await user.sign_in(name)
        stale = user.session_cookie
        assert stale is not None
        tail = await user.tail("ops")
        await tail.expect("hello")
        auth = server.app[SERVICES].auth
        assert auth is not None
        # The handshake itself may refresh, on a machine slow enough to reach it late;
        # the browser then holds the cookie of its 101.
        stale = set_cookie_of(tail.ws._response.headers.getall("Set-Cookie", [])) or stale
        spent = auth.refresher.spent
        await tail.expect_close(1013, timeout=WITHIN)
        assert auth.refresher.spent == spent  # an open tail never spends the token

        reopened = await user.ws_client.ws_connect(
            f"{user.app_url}/ws/tail/ops",
            headers={"Origin": user.app_url, "Cookie": f"{SESSION_COOKIE}={stale}"},
        )
        fresh = set_cookie_of(reopened._response.headers.getall("Set-Cookie", []))
        assert fresh is not None
        assert session_of(fresh).refresh_token != session_of(stale).refresh_token
        await TailClient(reopened).expect("hello")
        assert auth.refresher.spent == spent + 1
        # The browser's older copy is answered from memory, never presented again.
        async with browser_without_jar() as browser:
            assert await log_ids(browser, user.app_url, stale) == ["ops", "open"]
        await reopened.close()
    assert provider.user_state(name)["reuse_detected"] == 0


async def test_a_session_without_a_refresh_token_ends_at_its_first_check(
    serve: Serve, user: WebUser, provider: Provider
) -> None:
    async with serve(session_refresh=REFRESH):
        await user.sign_in("alice")
        assert user.session_cookie is not None
        session = session_of(user.session_cookie)
        bare = codec().seal_session(
            dataclasses.replace(session, refresh_token=None, checked_at=int(time.time()) - 5)
        )
        async with browser_without_jar() as browser:
            assert await log_ids(browser, user.app_url, bare) == 401


async def test_a_tail_on_another_replica_never_spends_the_token_the_browser_refreshed(
    serve: Serve, user: WebUser, provider: Provider, tmp_path: Path, logs: dict[str, Path]
) -> None:
    name = new_user(provider, ["ops"])
    async with serve(session_refresh=REFRESH), replica(tmp_path, provider, logs) as other:
        await user.sign_in(name)
        assert user.session_cookie is not None
        tail = await tail_on(other, "ops", user.session_cookie)
        await tail.expect("hello")
        provider.set_user(name, groups=[])

        async def listed_without_ops() -> bool:
            ids = [e["id"] for e in (await user.get("/api/logs")).json()["logs"]]
            return ids == ["open"]

        # The page's requests reach the first replica, which rotates the token each
        # interval; the tail on the other replica must not present its older token.
        await until(listed_without_ops, "/api/logs drops the log")
        await tail.expect_close(1013, timeout=WITHIN)
        newest = user.session_cookie
        assert newest is not None
        again = await tail_on(other, "ops", newest)
        await again.expect_close(4403)
        assert (await user.get("/api/me")).status_code == 200
    state = provider.user_state(name)
    assert state["refreshes"] >= 1
    assert state["reuse_detected"] == 0
