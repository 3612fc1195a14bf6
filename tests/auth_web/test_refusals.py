"""Every way in that must stay shut: bad cookies, replays, wrong tokens, origins and users."""

from __future__ import annotations

import time

import aiohttp
import httpx
import pytest

from tailgate.auth.identity import Identity
from tailgate.auth.oidc import OidcAuth
from tailgate.auth.session import SessionCodec
from tailgate.web.context import SERVICES
from tests.auth.conftest import SESSION_SECRET
from tests.auth.provider import Provider, tokens_for
from tests.support.tails import RunningServer, TailClient

from .conftest import Serve
from .web_user import WebUser


def auth_of(server: RunningServer) -> OidcAuth:
    auth = server.app[SERVICES].auth
    assert auth is not None
    return auth


def tampered(cookie: str) -> str:
    """The cookie with one character of its sealed body changed."""
    i = len(cookie) // 2
    return cookie[:i] + ("A" if cookie[i] != "A" else "B") + cookie[i + 1 :]


async def expect_refused_everywhere(user: WebUser, cookie: str, code: str) -> None:
    """The API says 401 ``code``, the page sends the browser to sign in, a tail closes 4401."""
    headers = {"Cookie": f"tailgate_session={cookie}"}
    async with httpx.AsyncClient(base_url=user.app_url) as fresh:
        api = await fresh.get("/api/logs", headers=headers)
        assert (api.status_code, api.json()["error"]) == (401, code)
        page = await fresh.get("/", headers=headers)
        assert page.status_code == 302
        assert page.headers["location"].startswith(f"{user.app_url}/login?next=")
        # The useless cookie is cleared.
        assert 'tailgate_session=""' in page.headers["set-cookie"]
    tail = await user.tail("open", cookie=cookie)
    assert (await tail.expect("error"))["code"] == code
    await tail.expect_close(4401)


async def test_a_tampered_session_cookie_is_refused(serve: Serve, user: WebUser) -> None:
    async with serve() as server:
        await user.sign_in("alice")
        cookie = user.session_cookie
        assert cookie is not None
        await expect_refused_everywhere(user, tampered(cookie), "session_invalid")
        assert server.metric("tailgate_ws_rejections_total", reason="session_invalid") == 1
        assert server.metric("tailgate_auth_refusals_total", reason="session_invalid") == 2


async def test_an_expired_session_is_refused(serve: Serve, user: WebUser) -> None:
    async with serve():
        # Sealed with the app's own secret nine hours ago, for the default eight.
        past = SessionCodec(SESSION_SECRET, max_age=8 * 3600, clock=lambda: time.time() - 9 * 3600)
        cookie, _ = past.seal(Identity(subject="alice", username="alice", groups=("ops",)))
        await expect_refused_everywhere(user, cookie, "session_expired")


async def test_a_session_sealed_with_another_secret_is_refused(serve: Serve, user: WebUser) -> None:
    async with serve():
        other = SessionCodec("o" * 40, max_age=3600)
        cookie, _ = other.seal(Identity(subject="alice", username="alice", groups=("ops",)))
        await expect_refused_everywhere(user, cookie, "session_invalid")


async def test_no_session_means_401_on_the_api_and_4401_on_tails(
    serve: Serve, user: WebUser
) -> None:
    async with serve():
        api = await user.get("/api/logs")
        assert (api.status_code, api.json()["error"]) == (401, "not_signed_in")
        assert api.headers["www-authenticate"] == 'Bearer realm="tailgate"'
        tail = await user.tail("open")
        assert (await tail.expect("error"))["code"] == "not_signed_in"
        await tail.expect_close(4401)


async def test_a_replayed_callback_is_refused(serve: Serve, user: WebUser, app_url: str) -> None:
    async with serve() as server:
        assert (await user.sign_in("alice")).status_code == 303
        assert user.callback_url is not None and user.login_cookie is not None
        # An attacker who saw the callback URL and the sign-in cookie tries them again.
        async with httpx.AsyncClient() as attacker:
            replay = await attacker.get(
                user.callback_url, headers={"Cookie": f"tailgate_login={user.login_cookie}"}
            )
        assert replay.status_code == 400
        assert "already used" in replay.text
        assert "tailgate_session=" not in replay.headers.get("set-cookie", "")
        assert server.metric("tailgate_auth_logins_total", result="login_replayed") == 1
        # Without the sign-in cookie, the state matches nothing.
        async with httpx.AsyncClient() as stranger:
            bare = await stranger.get(user.callback_url)
        assert bare.status_code == 400
        assert server.metric("tailgate_auth_logins_total", result="login_state_invalid") == 1


async def test_a_callback_whose_state_is_not_this_browsers_is_refused(
    serve: Serve, user: WebUser, other_user: WebUser
) -> None:
    async with serve():
        await user.sign_in("alice")
        assert user.callback_url is not None
        # Another browser's sign-in cookie does not accept this browser's callback.
        await other_user.start_sign_in()
        refused = await other_user.http.get(user.callback_url)
        assert refused.status_code == 400
        assert other_user.session_cookie is None


async def test_a_valid_access_token_is_accepted_as_bearer_with_its_groups(
    serve: Serve, provider: Provider
) -> None:
    async with serve() as server, httpx.AsyncClient(follow_redirects=False) as browser:
        tokens, _ = await tokens_for(auth_of(server), provider, browser, user="bob")
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        async with httpx.AsyncClient(base_url=server.base_url, headers=bearer) as script:
            me = (await script.get("/api/me")).json()
            assert (me["user"], me["groups"], me["via"]) == ("bob", ["dev", "staff"], "bearer")
            assert "logout" not in me
            listed = (await script.get("/api/logs")).json()["logs"]
            assert [log["id"] for log in listed] == ["dev", "open"]
        async with aiohttp.ClientSession() as client:
            ws = await client.ws_connect(server.ws_url("dev"), headers=bearer)
            tail = TailClient(ws)
            await tail.expect("hello")
            assert await tail.read_lines(2) == ["dev one", "dev two"]
            await tail.close()


async def test_an_id_token_is_refused_as_bearer(serve: Serve, provider: Provider) -> None:
    async with serve() as server, httpx.AsyncClient(follow_redirects=False) as browser:
        tokens, _ = await tokens_for(auth_of(server), provider, browser, user="alice")
        bearer = {"Authorization": f"Bearer {tokens['id_token']}"}
        async with httpx.AsyncClient(base_url=server.base_url, headers=bearer) as script:
            response = await script.get("/api/me")
        assert (response.status_code, response.json()["error"]) == (401, "token_invalid")
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
        async with aiohttp.ClientSession() as client:
            ws = await client.ws_connect(server.ws_url("open"), headers=bearer)
            tail = TailClient(ws)
            assert (await tail.expect("error"))["code"] == "token_invalid"
            await tail.expect_close(4401)


async def test_a_bad_bearer_token_is_not_rescued_by_a_good_cookie(
    serve: Serve, user: WebUser
) -> None:
    async with serve():
        await user.sign_in("alice")
        response = await user.get("/api/me", headers={"Authorization": "Bearer not-a-jwt"})
        assert response.status_code == 401
        # ... and the cookie itself is left alone.
        assert "set-cookie" not in response.headers
        assert (await user.get("/api/me")).status_code == 200


async def test_a_tail_from_a_foreign_origin_is_refused_before_the_handshake(
    serve: Serve, user: WebUser
) -> None:
    async with serve() as server:
        await user.sign_in("alice")
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await user.tail("open", origin="https://evil.example")
        assert refused.value.status == 403
        assert server.metric("tailgate_ws_rejections_total", reason="origin") == 1


async def test_sign_out_needs_the_form_token_and_this_origin(
    serve: Serve, user: WebUser, app_url: str
) -> None:
    async with serve():
        await user.sign_in("alice")
        token = (await user.get("/api/me")).json()["logout"]["csrf"]
        missing = await user.post("/logout", data={}, headers={"Origin": app_url})
        assert missing.status_code == 403
        foreign = await user.post(
            "/logout", data={"csrf": token}, headers={"Origin": "https://evil.example"}
        )
        assert foreign.status_code == 403
        wrong = await user.post("/logout", data={"csrf": token[:-2] + "xx"})
        assert wrong.status_code == 403
        assert (await user.get("/api/me")).status_code == 200
        # A GET only asks.
        assert (await user.get("/logout")).status_code == 200
        assert (await user.get("/api/me")).status_code == 200


async def test_a_user_outside_the_allowed_groups_cannot_see_or_tail_the_log(
    serve: Serve, user: WebUser
) -> None:
    async with serve() as server:
        await user.sign_in("bob")
        listed = (await user.get("/api/logs")).json()["logs"]
        assert "ops" not in [log["id"] for log in listed]
        one = await user.get("/api/logs/ops")
        assert (one.status_code, one.json()["error"]) == (403, "forbidden")
        assert (await user.get("/api/logs/dev")).status_code == 200
        assert (await user.get("/api/logs/nope")).status_code == 404
        tail = await user.tail("ops")
        assert (await tail.expect("error"))["code"] == "forbidden"
        await tail.expect_close(4403)
        assert server.metric("tailgate_ws_rejections_total", reason="forbidden") == 1


async def test_a_user_named_in_allow_users_may_tail_without_the_group(
    serve: Serve, user: WebUser
) -> None:
    async with serve():
        await user.sign_in("carol")
        listed = (await user.get("/api/logs")).json()["logs"]
        assert [log["id"] for log in listed] == ["dev", "open"]
        tail = await user.tail("dev")
        await tail.expect("hello")
        await tail.close()


async def test_default_deny_hides_logs_without_an_allow_rule(serve: Serve, user: WebUser) -> None:
    async with serve(default_allow=False):
        await user.sign_in("alice")
        listed = (await user.get("/api/logs")).json()["logs"]
        assert [log["id"] for log in listed] == ["ops"]
        tail = await user.tail("open")
        await tail.expect_close(4403)
