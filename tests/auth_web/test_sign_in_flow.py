"""Signing in through the app's own routes, using it, and signing out again."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from tailgate.auth.session import SESSION_COOKIE
from tests.auth.provider import Provider

from .conftest import Serve
from .web_user import WebUser


def audit_events(caplog: pytest.LogCaptureFixture, event: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "tailgate.audit" and getattr(r, "event", None) == event
    ]


async def test_a_user_signs_in_sees_only_allowed_logs_tails_one_and_signs_out(
    serve: Serve, user: WebUser, provider: Provider, app_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with serve() as server:
        first = await user.get("/")
        assert first.status_code == 302
        assert first.headers["location"] == f"{app_url}/login?next=%2F"

        back = await user.sign_in("alice", next_path="/")
        assert back.status_code == 303
        assert back.headers["location"] == f"{app_url}/"
        assert (await user.get("/")).status_code == 200

        me = (await user.get("/api/me")).json()
        assert (me["user"], me["groups"], me["via"]) == ("alice", ["ops", "staff"], "session")
        listed = (await user.get("/api/logs")).json()["logs"]
        assert [log["id"] for log in listed] == ["ops", "open"]

        tail = await user.tail("ops")
        assert (await tail.expect("hello"))["log"]["id"] == "ops"
        assert await tail.read_lines(2) == ["ops one", "ops two"]

        form = await user.get("/logout")
        assert form.status_code == 200
        token = form.text.split('name="csrf" value="')[1].split('"')[0]
        assert token == me["logout"]["csrf"]
        out = await user.post("/logout", data={"csrf": token}, headers={"Origin": app_url})
        assert out.status_code == 303
        end_session = urlsplit(out.headers["location"])
        assert out.headers["location"].startswith(provider.issuer)
        assert parse_qs(end_session.query) == {
            "client_id": [provider.client_id],
            "post_logout_redirect_uri": [f"{app_url}/"],
        }
        assert user.session_cookie is None

        # Signing out ends the tails opened under that session at once.
        await tail.expect_close(4401)
        assert (await user.get("/api/me")).status_code == 401
        assert server.metric("tailgate_auth_logins_total", result="ok") == 1

    (started,) = audit_events(caplog, "tail_started")
    (ended,) = audit_events(caplog, "tail_ended")
    for record in (started, ended):
        assert record.__dict__["user"] == "alice"
        assert record.__dict__["groups"] == ["ops", "staff"]
        assert record.__dict__["log_id"] == "ops"
        assert record.__dict__["client"] == "127.0.0.1"
    assert ended.__dict__["lines"] == 2
    assert ended.__dict__["bytes"] > len("ops one\nops two")
    assert ended.__dict__["close_code"] == 4401
    assert ended.__dict__["reason"] == "signed out"
    assert ended.__dict__["duration_s"] >= 0
    assert started.__dict__["start"] == ended.__dict__["start"]
    (signed_in,) = audit_events(caplog, "signed_in")
    assert signed_in.__dict__["user"] == "alice"
    (signed_out,) = audit_events(caplog, "signed_out")
    assert (signed_out.__dict__["user"], signed_out.__dict__["tails_closed"]) == ("alice", 1)


async def test_signing_out_at_the_provider_too_makes_the_next_sign_in_ask_again(
    serve: Serve, user: WebUser, app_url: str, provider: Provider
) -> None:
    async with serve():
        await user.sign_in("bob")
        token = (await user.get("/api/me")).json()["logout"]["csrf"]
        out = await user.post("/logout", data={"csrf": token}, headers={"Origin": app_url})
        page = await user.http.get(out.headers["location"])
        assert page.status_code == 200
        xsrf = page.text.split('name="xsrf" value="')[1].split('"')[0]
        action = page.text.split('action="')[1].split('"')[0]
        confirmed = await user.http.post(
            provider.issuer + action if action.startswith("/") else action,
            data={"xsrf": xsrf, "logout": "yes"},
        )
        while confirmed.is_redirect and not confirmed.headers["location"].startswith(app_url):
            confirmed = await user.http.get(confirmed.headers["location"])
        assert confirmed.headers["location"] == f"{app_url}/"

        again = await user.start_sign_in()
        at_provider = await user.http.get(again.headers["location"])
        assert "/interaction/" in at_provider.headers["location"]


async def test_the_session_cookie_is_httponly_lax_small_and_ends(
    serve: Serve, user: WebUser
) -> None:
    async with serve(session_max_age=600):
        back = await user.sign_in("alice")
        (set_cookie,) = [
            v for v in back.headers.get_list("set-cookie") if v.startswith(f"{SESSION_COOKIE}=")
        ]
        attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")}
        assert {"httponly", "max-age", "path"} <= attributes
        assert "samesite=lax" in set_cookie.lower()
        assert "max-age=600" in set_cookie.lower()
        # Plain http on loopback: a Secure cookie would never come back.
        assert "secure" not in attributes
        assert len(set_cookie) < 1500


@pytest.mark.parametrize(
    "next_path",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "http:/evil.example"],
)
async def test_next_cannot_send_the_browser_elsewhere(
    serve: Serve, user: WebUser, app_url: str, next_path: str
) -> None:
    async with serve():
        back = await user.sign_in("alice", next_path=next_path)
        assert back.headers["location"] == f"{app_url}/"


async def test_next_brings_the_user_back_to_the_page_they_asked_for(
    serve: Serve, user: WebUser, app_url: str
) -> None:
    async with serve():
        back = await user.sign_in("alice", next_path="/?log=ops&backlog=5")
        assert back.headers["location"] == f"{app_url}/?log=ops&backlog=5"


async def test_api_me_answers_401_json_without_a_session(serve: Serve, user: WebUser) -> None:
    async with serve():
        response = await user.get("/api/me")
        assert response.status_code == 401
        assert response.json()["error"] == "not_signed_in"
        assert response.headers["www-authenticate"].startswith("Bearer")
