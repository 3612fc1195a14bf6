"""The operator's side: ``TAILGATE_CLI_*`` settings, checked at start-up like the rest."""

from __future__ import annotations

import pytest

from tailgate.auth.settings import DEFAULT_CLI_SCOPES, load_auth_settings
from tailgate.errors import ConfigError

GOOD = {
    "TAILGATE_AUTH": "oidc",
    "TAILGATE_OIDC_ISSUER": "https://id.example.com",
    "TAILGATE_OIDC_CLIENT_ID": "tailgate",
    "TAILGATE_OIDC_CLIENT_SECRET": "client-secret",
    "TAILGATE_OIDC_AUDIENCE": "api://tailgate",
    "TAILGATE_PUBLIC_URL": "https://logs.example.com",
    "TAILGATE_SESSION_SECRET": "s" * 40,
}


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_auth_settings(env)
    return caught.value.problems


def test_without_a_terminal_client_nothing_changes() -> None:
    settings = load_auth_settings(GOOD)
    assert settings is not None
    assert settings.cli_client_id is None


def test_a_terminal_client_gets_default_scopes_with_a_refresh_token() -> None:
    settings = load_auth_settings({**GOOD, "TAILGATE_CLI_CLIENT_ID": "tailgate-cli"})
    assert settings is not None
    assert settings.cli_client_id == "tailgate-cli"
    assert settings.cli_scopes == DEFAULT_CLI_SCOPES
    assert "offline_access" in DEFAULT_CLI_SCOPES
    custom = load_auth_settings(
        {**GOOD, "TAILGATE_CLI_CLIENT_ID": "c", "TAILGATE_CLI_SCOPES": "openid,groups"}
    )
    assert custom is not None
    assert custom.cli_scopes == ("openid", "groups")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"TAILGATE_OIDC_AUDIENCE": ""}, "TAILGATE_CLI_CLIENT_ID needs TAILGATE_OIDC_AUDIENCE"),
        ({"TAILGATE_CLI_CLIENT_ID": "tailgate"}, "must be a public client of its own"),
        ({"TAILGATE_CLI_SCOPES": "profile"}, "TAILGATE_CLI_SCOPES must include 'openid'"),
    ],
)
def test_inconsistent_terminal_settings_stop_start_up(
    changes: dict[str, str], problem: str
) -> None:
    env = {**GOOD, "TAILGATE_CLI_CLIENT_ID": "tailgate-cli", **changes}
    assert any(problem in text for text in problems(env))


def test_scopes_without_a_client_or_settings_without_sign_in_are_reported() -> None:
    assert problems({**GOOD, "TAILGATE_CLI_SCOPES": "openid"}) == [
        "TAILGATE_CLI_SCOPES is set but TAILGATE_CLI_CLIENT_ID is not"
    ]
    assert problems({"TAILGATE_AUTH": "none", "TAILGATE_CLI_CLIENT_ID": "c"}) == [
        "TAILGATE_CLI_CLIENT_ID is set but TAILGATE_AUTH is 'none'; set TAILGATE_AUTH=oidc"
    ]
