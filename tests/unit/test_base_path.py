"""The path tailgate is served below, taken from the public URL, and where sign-in returns to."""

from __future__ import annotations

import pytest

from tailgate.auth.settings import OidcSettings
from tailgate.errors import ConfigError
from tailgate.public_url import base_path, origin, path_problems
from tailgate.settings import load_settings
from tailgate.web.signin import next_path


@pytest.mark.parametrize(
    ("public_url", "base"),
    [
        (None, ""),
        ("", ""),
        ("https://logs.example.com", ""),
        ("https://logs.example.com/", ""),
        ("https://tools.example.com/logs", "/logs"),
        ("https://tools.example.com/logs/", "/logs"),
        ("http://127.0.0.1:8080/tools/logs", "/tools/logs"),
    ],
)
def test_the_base_path_is_the_public_urls_path_without_its_last_slash(
    public_url: str | None, base: str
) -> None:
    assert base_path(public_url) == base


def test_the_origin_is_scheme_host_and_port() -> None:
    assert origin("https://tools.example.com:8443/logs") == "https://tools.example.com:8443"
    assert origin("http://127.0.0.1:8080") == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    "path",
    ["/logs/../admin", "/./logs", "/logs//x", "/logs/{id}", "/logs/%2e%2e", "/lo gs", "/läufe"],
)
def test_a_base_path_that_a_proxy_or_router_would_read_differently_is_refused(path: str) -> None:
    (problem,) = path_problems("TAILGATE_PUBLIC_URL", f"https://tools.example.com{path}")
    assert problem.startswith("TAILGATE_PUBLIC_URL: the path")


@pytest.mark.parametrize("path", ["", "/", "/logs", "/tools/logs/", "/a-b_c.d~e/v1"])
def test_plain_base_paths_are_accepted(path: str) -> None:
    assert path_problems("TAILGATE_PUBLIC_URL", f"https://tools.example.com{path}") == []


def test_a_bad_base_path_is_refused_at_start_up_with_or_without_sign_in() -> None:
    with pytest.raises(ConfigError, match="--public-url / TAILGATE_PUBLIC_URL: the path"):
        load_settings({"auth": "none", "public_url": "http://127.0.0.1:8080/a/../b"}, {})
    with pytest.raises(ConfigError, match="must not have a query or fragment"):
        load_settings({"auth": "none", "public_url": "http://127.0.0.1:8080/logs?x=1"}, {})
    env = {
        "TAILGATE_OIDC_ISSUER": "https://id.example.com",
        "TAILGATE_OIDC_CLIENT_ID": "tailgate",
        "TAILGATE_OIDC_CLIENT_SECRET": "client-secret-value",
        "TAILGATE_PUBLIC_URL": "https://tools.example.com/logs//x",
        "TAILGATE_SESSION_SECRET": "s" * 40,
    }
    with pytest.raises(ConfigError, match="TAILGATE_PUBLIC_URL: the path"):
        OidcSettings.from_env(env)


def test_settings_give_the_base_path_of_either_mode() -> None:
    none = load_settings({"auth": "none", "public_url": "http://127.0.0.1:8080/logs/"}, {})
    assert none.base_path == "/logs"
    assert load_settings({"auth": "none"}, {}).base_path == ""


@pytest.mark.parametrize(
    ("raw", "base", "expected"),
    [
        # Without a base path, any path of this site, as before.
        (None, "", "/"),
        ("/", "", "/"),
        ("/?x=1#open=a,b", "", "/?x=1#open=a,b"),
        ("/a/../b", "", "/a/../b"),
        ("//evil.example/", "", "/"),
        ("https://evil.example/", "", "/"),
        ("/\\evil.example", "", "/"),
        # Below a base path: only paths that land below it.
        (None, "/logs", "/logs/"),
        ("/logs/", "/logs", "/logs/"),
        ("/logs", "/logs", "/logs"),
        ("/logs/?x=1#open=a,b", "/logs", "/logs/?x=1#open=a,b"),
        ("/logs/a/../", "/logs", "/logs/a/../"),
        ("/logs/..%2fx", "/logs", "/logs/..%2fx"),
        ("/", "/logs", "/logs/"),
        ("/?next=/logs/", "/logs", "/logs/"),
        ("/admin", "/logs", "/logs/"),
        ("/logsx/", "/logs", "/logs/"),
        ("/logs/../admin", "/logs", "/logs/"),
        ("/logs/%2e%2e/admin", "/logs", "/logs/"),
        ("/logs/.%2E/admin", "/logs", "/logs/"),
        ("/logs/./../admin", "/logs", "/logs/"),
        ("//evil.example/logs/", "/logs", "/logs/"),
        ("https://evil.example/logs/", "/logs", "/logs/"),
        ("/\\evil.example/logs/", "/logs", "/logs/"),
        ("logs/", "/logs", "/logs/"),
        ("/logs/\x00", "/logs", "/logs/"),
    ],
)
def test_sign_in_returns_only_to_a_path_below_the_base(
    raw: str | None, base: str, expected: str
) -> None:
    assert next_path(raw, base) == expected
