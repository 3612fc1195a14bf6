"""A real OpenID Connect provider for the tests, and a user who signs in without a browser.

``tests/oidc/provider.mjs`` runs panva's oidc-provider; this module starts it as a
subprocess, reads its ready line, and drives its login form over plain HTTP the way a
browser would (redirect, form POST, redirects back) until the provider sends the user
to the app's callback.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from tailgate.auth.flow import PendingLogin, authorize_url, check_callback, exchange_code
from tailgate.auth.oidc import OidcAuth

OIDC_DIR = Path(__file__).resolve().parent.parent / "oidc"
SCRIPT = OIDC_DIR / "provider.mjs"
STARTUP_TIMEOUT = 15.0

CLIENT_ID = "tailgate"
CLIENT_SECRET = "tailgate-test-secret-0123456789"
AUDIENCE = "api://tailgate"


@dataclass
class Provider:
    """A running provider and the client registered with it."""

    issuer: str
    client_id: str
    client_secret: str
    audience: str
    redirect_uri: str
    post_logout_redirect_uri: str
    process: subprocess.Popen[str] = field(repr=False)

    def rotate_keys(self) -> str:
        """Make the provider sign with a new key; returns its ``kid``."""
        request = urllib.request.Request(self.issuer + "/test/rotate-keys", method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            return str(json.load(response)["kid"])

    def set_user(
        self, name: str, *, groups: list[str] | None = None, disabled: bool | None = None
    ) -> dict[str, Any]:
        """Change a user at the provider, as its administrator would; returns its state."""
        change: dict[str, Any] = {}
        if groups is not None:
            change["groups"] = groups
        if disabled is not None:
            change["disabled"] = disabled
        request = urllib.request.Request(
            f"{self.issuer}/test/users/{name}",
            data=json.dumps(change).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return dict(json.load(response))

    def user_state(self, name: str) -> dict[str, Any]:
        """``groups``, ``disabled``, and the ``refreshes`` and ``reuse_detected`` counts."""
        with urllib.request.urlopen(f"{self.issuer}/test/users/{name}", timeout=5) as response:
            return dict(json.load(response))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def node_available() -> bool:
    return (
        shutil.which("node") is not None and (OIDC_DIR / "node_modules" / "oidc-provider").is_dir()
    )


@contextlib.contextmanager
def running_provider(
    *,
    app_url: str,
    port: int = 0,
    log_path: Path | None = None,
) -> Iterator[Provider]:
    """Start ``provider.mjs`` for an app at ``app_url``; stop it when the block ends."""
    redirect_uri = app_url + "/auth/callback"
    post_logout = app_url + "/"
    command = [
        "node",
        str(SCRIPT),
        f"--port={port}",
        f"--client-id={CLIENT_ID}",
        f"--client-secret={CLIENT_SECRET}",
        f"--audience={AUDIENCE}",
        f"--redirect-uri={redirect_uri}",
        f"--post-logout-redirect-uri={post_logout}",
    ]
    with contextlib.ExitStack() as stack:
        stderr = stack.enter_context(
            open(log_path, "w") if log_path else open(os.devnull, "w")  # noqa: SIM115
        )
        process = subprocess.Popen(
            command, cwd=OIDC_DIR, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
        provider = Provider(
            issuer=_read_ready_line(process),
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            audience=AUDIENCE,
            redirect_uri=redirect_uri,
            post_logout_redirect_uri=post_logout,
            process=process,
        )
        try:
            yield provider
        finally:
            provider.stop()
            assert process.stdout is not None
            process.stdout.close()


def _read_ready_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    started = time.monotonic()
    seen: list[str] = []
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while (left := started + STARTUP_TIMEOUT - time.monotonic()) > 0:
            if not selector.select(timeout=left):
                continue
            line = process.stdout.readline()
            if not line:
                break
            if line.startswith("ready issuer="):
                return line.removeprefix("ready issuer=").strip()
            seen.append(line.rstrip())
    process.kill()
    process.wait(timeout=5)
    raise RuntimeError(
        f"the OIDC provider did not start within {time.monotonic() - started:.1f}s "
        f"(exit code {process.returncode}, output {seen!r})"
    )


MAX_HOPS = 10


async def sign_in(
    http: httpx.AsyncClient,
    authorize_url: str,
    *,
    redirect_uri: str,
    user: str = "alice",
    password: str = "x",
) -> str:
    """Sign ``user`` in at the provider; the callback URL it sends the browser to.

    ``http`` keeps the provider's cookies between calls, like a browser profile; it must
    not follow redirects by itself.
    """
    url = authorize_url
    for _ in range(MAX_HOPS):
        if url.startswith(redirect_uri):
            return url
        response = await http.get(url)
        if response.is_redirect:
            url = urljoin(url, response.headers["location"])
            continue
        if urlsplit(url).path.startswith("/interaction/") and response.status_code == 200:
            # The login form, or the consent form when the request asked for prompt=consent.
            if 'name="prompt" value="consent"' in response.text:
                form = {"prompt": "consent"}
            else:
                form = {"prompt": "login", "login": user, "password": password}
            response = await http.post(url, data=form)
            if not response.is_redirect:
                raise AssertionError(f"the login form answered {response.status_code}")
            url = urljoin(url, response.headers["location"])
            continue
        raise AssertionError(f"unexpected {response.status_code} from {url}: {response.text[:300]}")
    raise AssertionError(f"no redirect to {redirect_uri} after {MAX_HOPS} hops")


def callback_query(callback_url: str) -> dict[str, str]:
    """The query of a callback URL as a plain mapping, as a web framework would give it."""
    return {k: v[0] for k, v in parse_qs(urlsplit(callback_url).query).items()}


async def tokens_for(
    auth: OidcAuth, provider: Provider, http: httpx.AsyncClient, *, user: str = "alice"
) -> tuple[dict[str, Any], PendingLogin]:
    """Sign ``user`` in and exchange the code: the raw token response, and its sign-in."""
    metadata = auth.discovery.metadata
    login, _ = auth.logins.begin()
    url = authorize_url(metadata, auth.settings, login)
    callback = await sign_in(http, url, redirect_uri=provider.redirect_uri, user=user)
    code = check_callback(callback_query(callback), metadata)
    tokens = await exchange_code(
        metadata, auth.settings, code=code, code_verifier=login.code_verifier
    )
    return tokens, login
