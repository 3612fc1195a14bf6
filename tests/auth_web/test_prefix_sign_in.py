"""Sign-in below a path: ``TAILGATE_PUBLIC_URL=http://127.0.0.1:<port>/logs``, the real provider.

The provider here has its own client, whose redirect URI is below ``/logs``, as an
administrator registers it for tailgate behind an ingress path rule. Signing in, the
cookies, tailing, signing out and every redirect stay below the path; ``next`` cannot
lead anywhere else. The browser test uses the fixture of ``test_browser_sign_in.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tailgate.auth.flow import LOGIN_COOKIE
from tailgate.auth.session import SESSION_COOKIE
from tailgate.web.context import SERVICES
from tests.auth.conftest import settings_for
from tests.auth.provider import Provider, free_port, node_available, running_provider
from tests.conftest import fail_on_tasks_left
from tests.support.tails import RunningServer, running_server

from .conftest import FAST_RETRY, RULES, catalog
from .test_browser_sign_in import CHROMIUM, page, playwright_api
from .test_ui_sign_in import append, page_problems, sign_in_at_provider
from .web_user import WebUser

__all__ = ["page"]

expect = playwright_api.expect

BASE = "/logs"


@pytest.fixture(scope="module")
def origin() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def public_url(origin: str) -> str:
    return origin + BASE


@pytest.fixture(scope="module")
def below_provider(public_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    if not node_available():
        pytest.skip("the test OIDC provider is not installed: run tests/setup.sh")
    log = Path(tmp_path_factory.mktemp("oidc-below")) / "provider.log"
    with running_provider(app_url=public_url, log_path=log) as running:
        yield running


@asynccontextmanager
async def serving(
    tmp_path: Path, provider: Provider, public_url: str, logs: dict[str, Path]
) -> AsyncIterator[RunningServer]:
    settings = settings_for(provider, public_url)
    before = set(asyncio.all_tasks())
    async with running_server(
        tmp_path, catalog(logs, allow=RULES), auth=settings, auth_backoff=FAST_RETRY
    ) as server:
        auth = server.app[SERVICES].auth
        assert auth is not None
        async with asyncio.timeout(10):
            await auth.discovery.wait_ready()
        yield server
    await fail_on_tasks_left(before)


@pytest.fixture
async def below_user(below_provider: Provider, public_url: str) -> AsyncIterator[WebUser]:
    async with WebUser.create(public_url, below_provider) as web_user:
        yield web_user


def cookie_path(set_cookie: list[str], name: str) -> str:
    (value,) = [v for v in set_cookie if v.startswith(f"{name}=")]
    attributes = dict(part.strip().split("=", 1) for part in value.split(";")[1:] if "=" in part)
    return {k.lower(): v for k, v in attributes.items()}["path"]


async def test_signing_in_tailing_and_signing_out_all_stay_below_the_path(
    tmp_path: Path,
    below_provider: Provider,
    public_url: str,
    origin: str,
    logs: dict[str, Path],
    below_user: WebUser,
) -> None:
    user = below_user
    async with serving(tmp_path, below_provider, public_url, logs):
        first = await user.get("/")
        assert first.status_code == 302
        assert first.headers["location"] == f"{public_url}/login?next=%2Flogs%2F"
        api = await user.get("/api/logs")
        assert api.status_code == 401
        assert api.json()["error"] == "not_signed_in"

        start = await user.start_sign_in("/logs/?x=1#open=ops")
        assert start.status_code == 302
        authorize = parse_qs(urlsplit(start.headers["location"]).query)
        assert authorize["redirect_uri"] == [f"{public_url}/auth/callback"]
        assert cookie_path(start.headers.get_list("set-cookie"), LOGIN_COOKIE) == BASE

        back = await user.sign_in("alice", next_path="/logs/?x=1#open=ops")
        assert user.callback_url is not None
        assert user.callback_url.startswith(f"{public_url}/auth/callback?")
        assert back.status_code == 303
        assert back.headers["location"] == f"{origin}/logs/?x=1#open=ops"
        assert cookie_path(back.headers.get_list("set-cookie"), SESSION_COOKIE) == BASE

        assert (await user.get("/")).status_code == 200
        me = (await user.get("/api/me")).json()
        assert (me["user"], me["via"]) == ("alice", "session")
        assert me["logout"]["url"] == f"{public_url}/logout"
        listed = (await user.get("/api/logs")).json()["logs"]
        assert [log["id"] for log in listed] == ["ops", "open"]

        tail = await user.tail("ops", origin=origin)
        assert (await tail.expect("hello"))["log"]["id"] == "ops"
        assert await tail.read_lines(2) == ["ops one", "ops two"]

        form = await user.get("/logout")
        assert form.status_code == 200
        assert 'action="logout"' in form.text  # relative: posts to /logs/logout
        token = form.text.split('name="csrf" value="')[1].split('"')[0]
        foreign = await user.post(
            "/logout", data={"csrf": token}, headers={"Origin": "https://evil.example"}
        )
        assert foreign.status_code == 403
        out = await user.post("/logout", data={"csrf": token}, headers={"Origin": origin})
        assert out.status_code == 303
        assert cookie_path(out.headers.get_list("set-cookie"), SESSION_COOKIE) == BASE
        assert user.session_cookie is None
        end_session = parse_qs(urlsplit(out.headers["location"]).query)
        assert end_session["post_logout_redirect_uri"] == [f"{public_url}/"]
        await tail.expect_close(4401)

        # The provider's own confirmation, then back to the page below the path.
        page = await user.http.get(out.headers["location"])
        xsrf = page.text.split('name="xsrf" value="')[1].split('"')[0]
        action = page.text.split('action="')[1].split('"')[0]
        confirmed = await user.http.post(
            below_provider.issuer + action if action.startswith("/") else action,
            data={"xsrf": xsrf, "logout": "yes"},
        )
        while confirmed.is_redirect and not confirmed.headers["location"].startswith(origin):
            confirmed = await user.http.get(confirmed.headers["location"])
        assert confirmed.headers["location"] == f"{public_url}/"
        assert (await user.get("/api/me")).status_code == 401


@pytest.mark.parametrize(
    "next_path",
    [
        "//evil.example/logs/",
        "https://evil.example/logs/",
        "/\\evil.example/logs/",
        "/",
        "/elsewhere/",
        "/logsx/",
        "/logs/../elsewhere/",
        "/logs/%2e%2e/elsewhere/",
    ],
)
async def test_sign_in_never_returns_outside_the_path(
    tmp_path: Path,
    below_provider: Provider,
    public_url: str,
    origin: str,
    logs: dict[str, Path],
    below_user: WebUser,
    next_path: str,
) -> None:
    async with serving(tmp_path, below_provider, public_url, logs):
        back = await below_user.sign_in("bob", next_path=next_path)
        assert back.status_code == 303
        assert back.headers["location"] == f"{public_url}/"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/login"),
        ("GET", "/auth/callback"),
        ("GET", "/logout"),
        ("POST", "/logout"),
        ("GET", "/api/me"),
        ("GET", "/logs/logs/login"),
        ("GET", "/logsx/login"),
    ],
)
async def test_sign_in_routes_outside_the_path_are_404(
    tmp_path: Path,
    below_provider: Provider,
    public_url: str,
    origin: str,
    logs: dict[str, Path],
    below_user: WebUser,
    method: str,
    path: str,
) -> None:
    async with serving(tmp_path, below_provider, public_url, logs):
        response = await below_user.http.request(method, origin + path)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")
async def test_in_a_browser_signing_in_tailing_and_signing_out_stay_below_the_path(
    tmp_path: Path,
    below_provider: Provider,
    public_url: str,
    origin: str,
    logs: dict[str, Path],
    page: Any,
) -> None:
    problems = page_problems(page)
    async with serving(tmp_path, below_provider, public_url, logs):
        await page.goto(f"{public_url}/")
        await sign_in_at_provider(page, "alice")
        await page.wait_for_url(f"{public_url}/")
        await page.goto(f"{public_url}/#open=ops")
        pane = page.locator("#panes > .pane").first
        await expect(pane.locator(".badge")).to_have_text("live")
        rows = pane.locator(".rows > .row:not([hidden])")
        await expect(rows).to_have_text(["ops one", "ops two"])
        append(logs["ops"], "ops three")
        await expect(rows).to_have_text(["ops one", "ops two", "ops three"])
        await expect(page.locator("header.top #who")).to_have_text("Alice Example")
        cookies = {c["name"]: c for c in await page.context.cookies(f"{public_url}/")}
        assert cookies[SESSION_COOKIE]["path"] == BASE
        # Cookies know no ports: the provider's, on the same host, are at the root.
        at_root = {c["name"] for c in await page.context.cookies(f"{origin}/")}
        assert SESSION_COOKIE not in at_root

        # A deep link without tailgate's session comes back through /logs/login.
        await page.context.clear_cookies(name=SESSION_COOKIE)
        await page.goto("about:blank")
        await page.goto(f"{public_url}/#open=open")
        await page.wait_for_url(f"{public_url}/#open=open")
        await expect(pane.locator(".badge")).to_have_text("live")

        await page.get_by_role("link", name="Sign out", exact=True).click()
        await page.wait_for_url(f"{public_url}/logout")
        await page.get_by_role("button", name="Sign out").click()
        await page.wait_for_url(f"{below_provider.issuer}/**")
        await page.click('button[autofocus], button[type="submit"]')
        # Back below the path, which sends the signed-out browser to sign in again.
        await page.wait_for_url(f"{below_provider.issuer}/interaction/**")
        assert SESSION_COOKIE not in {c["name"] for c in await page.context.cookies(public_url)}
    assert problems == []
