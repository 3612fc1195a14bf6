"""Settings: every problem is named by its variable, secrets stay out of messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tailgate.auth.settings import OidcSettings, load_auth_settings
from tailgate.errors import ConfigError
from tailgate.settings import load_settings

SECRET = "0123456789abcdef0123456789abcdef"
CLIENT_SECRET = "client-secret-value"

GOOD = {
    "TAILGATE_AUTH": "oidc",
    "TAILGATE_OIDC_ISSUER": "https://id.example.com/realms/main",
    "TAILGATE_OIDC_CLIENT_ID": "tailgate",
    "TAILGATE_OIDC_CLIENT_SECRET": CLIENT_SECRET,
    "TAILGATE_PUBLIC_URL": "https://logs.example.com/",
    "TAILGATE_SESSION_SECRET": SECRET,
}


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_auth_settings(env)
    return caught.value.problems


def test_complete_settings_load_with_defaults() -> None:
    settings = load_auth_settings(GOOD)
    assert settings is not None
    assert settings.issuer == "https://id.example.com/realms/main"
    assert settings.public_url == "https://logs.example.com"
    assert settings.redirect_uri == "https://logs.example.com/auth/callback"
    assert settings.scopes == ("openid", "profile", "email")
    assert settings.groups_claim == "groups"
    assert settings.audience is None
    assert settings.default_allow is True
    assert settings.secure_cookies is True


def test_auth_none_is_the_default_and_needs_nothing() -> None:
    assert load_auth_settings({}) is None
    assert load_auth_settings({"TAILGATE_AUTH": "none"}) is None


def test_an_unknown_auth_mode_is_refused() -> None:
    assert problems({"TAILGATE_AUTH": "ldap"}) == [
        "TAILGATE_AUTH must be 'none' or 'oidc', not 'ldap'"
    ]


def test_oidc_settings_without_auth_oidc_are_reported_as_inconsistent() -> None:
    env = {k: v for k, v in GOOD.items() if k != "TAILGATE_AUTH"}
    assert problems(env) == [
        f"{name} is set but TAILGATE_AUTH is 'none'; set TAILGATE_AUTH=oidc"
        for name in (
            "TAILGATE_OIDC_CLIENT_ID",
            "TAILGATE_OIDC_CLIENT_SECRET",
            "TAILGATE_OIDC_ISSUER",
        )
    ]


def test_every_missing_setting_is_named_at_once() -> None:
    found = problems({"TAILGATE_AUTH": "oidc"})
    for name in (
        "TAILGATE_OIDC_ISSUER",
        "TAILGATE_OIDC_CLIENT_ID",
        "TAILGATE_OIDC_CLIENT_SECRET",
        "TAILGATE_PUBLIC_URL",
        "TAILGATE_SESSION_SECRET",
    ):
        assert any(p.startswith(name) for p in found), name
    assert len(found) == 5


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TAILGATE_OIDC_ISSUER", "id.example.com", "must be an absolute http(s) URL"),
        ("TAILGATE_OIDC_ISSUER", "http://id.example.com", "must use https"),
        ("TAILGATE_PUBLIC_URL", "https://logs.example.com/?x=1", "must not have a query"),
        ("TAILGATE_SESSION_SECRET", "short", "at least 32 characters"),
        ("TAILGATE_OIDC_SCOPES", "profile email", "must include 'openid'"),
        ("TAILGATE_SESSION_MAX_AGE", "-5", "positive number of seconds"),
        ("TAILGATE_ACCESS_DEFAULT", "maybe", "'allow' or 'deny'"),
    ],
)
def test_a_bad_value_is_reported_with_its_variable(name: str, value: str, message: str) -> None:
    [problem] = problems({**GOOD, name: value})
    assert problem.startswith(name)
    assert message in problem


def test_secrets_never_appear_in_problems_or_repr() -> None:
    found = problems(
        {**GOOD, "TAILGATE_OIDC_ISSUER": "nope", "TAILGATE_SESSION_SECRET": "tiny-secret"}
    )
    assert not any("tiny-secret" in p or CLIENT_SECRET in p for p in found)
    settings = load_auth_settings(GOOD)
    assert CLIENT_SECRET not in repr(settings)
    assert SECRET not in repr(settings)


def test_secrets_can_be_read_from_files(tmp_path: Path) -> None:
    (tmp_path / "client").write_text(CLIENT_SECRET + "\n")
    (tmp_path / "session").write_text(SECRET + "\n")
    env = {k: v for k, v in GOOD.items() if not k.endswith("SECRET")}
    env["TAILGATE_OIDC_CLIENT_SECRET_FILE"] = str(tmp_path / "client")
    env["TAILGATE_SESSION_SECRET_FILE"] = str(tmp_path / "session")
    settings = load_auth_settings(env)
    assert settings is not None
    assert settings.client_secret == CLIENT_SECRET
    assert settings.session_secret == SECRET


def test_a_secret_and_its_file_together_are_refused(tmp_path: Path) -> None:
    (tmp_path / "client").write_text("other")
    env = {**GOOD, "TAILGATE_OIDC_CLIENT_SECRET_FILE": str(tmp_path / "client")}
    assert problems(env) == [
        "set TAILGATE_OIDC_CLIENT_SECRET or TAILGATE_OIDC_CLIENT_SECRET_FILE, not both"
    ]


def test_an_unreadable_secret_file_is_named(tmp_path: Path) -> None:
    env = {k: v for k, v in GOOD.items() if k != "TAILGATE_SESSION_SECRET"}
    env["TAILGATE_SESSION_SECRET_FILE"] = str(tmp_path / "missing")
    [problem] = problems(env)
    assert problem.startswith("TAILGATE_SESSION_SECRET_FILE: cannot read")


def test_optional_settings_are_read() -> None:
    settings = OidcSettings.from_env(
        {
            **GOOD,
            "TAILGATE_OIDC_SCOPES": "openid, email groups",
            "TAILGATE_OIDC_GROUPS_CLAIM": "realm_access.roles",
            "TAILGATE_OIDC_AUDIENCE": "api://tailgate",
            "TAILGATE_SESSION_MAX_AGE": "3600",
            "TAILGATE_ACCESS_DEFAULT": "deny",
        }
    )
    assert settings.scopes == ("openid", "email", "groups")
    assert settings.groups_claim == "realm_access.roles"
    assert settings.audience == "api://tailgate"
    assert settings.session_max_age == 3600
    assert settings.default_allow is False


@pytest.mark.parametrize(
    ("public_url", "secure"),
    [
        ("https://logs.example.com", True),
        ("http://127.0.0.1:8080", False),
        ("http://localhost:8080", False),
        ("http://[::1]:8080", False),
    ],
)
def test_cookies_are_secure_unless_the_public_url_is_plain_http_on_loopback(
    public_url: str, secure: bool
) -> None:
    settings = OidcSettings.from_env({**GOOD, "TAILGATE_PUBLIC_URL": public_url})
    assert settings.secure_cookies is secure


def test_a_public_url_with_a_path_keeps_cookies_and_callback_below_it() -> None:
    settings = OidcSettings.from_env({**GOOD, "TAILGATE_PUBLIC_URL": "https://example.com/tail/"})
    assert settings.redirect_uri == "https://example.com/tail/auth/callback"
    assert settings.cookie_path == "/tail"


def test_the_session_refresh_interval_comes_from_its_flag_or_variable() -> None:
    env = {**GOOD, "TAILGATE_CATALOG": "/etc/tailgate/catalog.yaml"}
    default = load_settings({}, env).oidc
    assert default is not None and default.session_refresh == 300
    from_env = load_settings({}, {**env, "TAILGATE_SESSION_REFRESH": "60"}).oidc
    assert from_env is not None and from_env.session_refresh == 60
    flag = load_settings({"session_refresh": "30"}, {**env, "TAILGATE_SESSION_REFRESH": "60"})
    assert flag.oidc is not None and flag.oidc.session_refresh == 30
    for bad in ("0", "-5", "soon", "100000"):
        with pytest.raises(ConfigError, match="--session-refresh"):
            load_settings({"session_refresh": bad}, env)
