"""Settings from flags and environment: precedence, types, and every refusal."""

from __future__ import annotations

import pytest

from tailgate.errors import ConfigError
from tailgate.loopback import is_loopback
from tailgate.settings import load_settings


def refusals(flags: dict[str, object], env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(flags, env or {})
    return info.value.problems


def test_flags_win_over_the_environment_which_wins_over_defaults() -> None:
    settings = load_settings(
        {"auth": "none", "port": "9000"},
        {"TAILGATE_PORT": "7000", "TAILGATE_METRICS_PORT": "7001", "TAILGATE_CATALOG": "/c"},
    )
    assert settings.port == 9000
    assert settings.metrics_port == 7001
    assert settings.catalog == "/c"
    assert settings.host == "127.0.0.1"


def test_auth_none_is_refused_off_loopback_with_a_reason() -> None:
    (problem,) = refusals({"auth": "none", "host": "0.0.0.0"})
    assert "loopback" in problem and "'0.0.0.0'" in problem


def test_auth_none_is_allowed_on_every_loopback_spelling() -> None:
    for host in ("127.0.0.1", "localhost", "::1", "127.1.2.3"):
        assert load_settings({"auth": "none", "host": host}, {}).loopback


def test_sign_in_is_required_by_default() -> None:
    assert any("--auth oidc" in p for p in refusals({}))


def test_bad_values_name_the_flag_or_variable_they_came_from() -> None:
    found = refusals(
        {"auth": "none", "port": "http"},
        {
            "TAILGATE_MAX_TAILS": "0",
            "TAILGATE_HEARTBEAT": "-1",
            "TAILGATE_TRUST_FORWARDED": "maybe",
        },
    )
    assert any(p.startswith("--port: expected a whole number") for p in found)
    assert any(p.startswith("TAILGATE_MAX_TAILS: expected a number from 1") for p in found)
    assert any(p.startswith("TAILGATE_HEARTBEAT: expected seconds") for p in found)
    assert any(p.startswith("TAILGATE_TRUST_FORWARDED: expected true or false") for p in found)


def test_inconsistent_settings_are_refused() -> None:
    found = refusals(
        {"auth": "none", "port": "8080", "metrics_port": "8080", "default_backlog": "50"},
        {"TAILGATE_MAX_BACKLOG": "10", "TAILGATE_PUBLIC_URL": "ftp://x"},
    )
    assert any("both 8080" in p for p in found)
    assert any("exceeds --max-backlog" in p for p in found)
    assert any("expected an http(s) URL" in p for p in found)


def test_unknown_auth_modes_are_refused() -> None:
    assert any("unknown mode 'ldap'" in p for p in refusals({"auth": "ldap"}))


def test_loopback_detection() -> None:
    assert is_loopback("[::1]")
    assert not is_loopback("10.0.0.1")
    assert not is_loopback("example.com")
