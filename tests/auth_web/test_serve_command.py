"""``tailgate serve`` with sign-in, as an operator runs it: settings from the environment."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tailgate.errors import ConfigError
from tailgate.settings import load_settings
from tests.auth.conftest import SESSION_SECRET
from tests.auth.provider import Provider
from tests.support.processes import free_ports, run_tailgate, tailgate_process

from .conftest import RULES, catalog, oidc_env
from .web_user import WebUser

REQUIRED = (
    "TAILGATE_OIDC_ISSUER",
    "TAILGATE_OIDC_CLIENT_ID",
    "TAILGATE_OIDC_CLIENT_SECRET",
    "TAILGATE_PUBLIC_URL",
    "TAILGATE_SESSION_SECRET",
)


async def test_the_service_signs_users_in_with_settings_from_the_environment(
    tmp_path: Path, logs: dict[str, Path], provider: Provider, app_url: str
) -> None:
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text(catalog(logs, allow=RULES))
    port = urlsplit(app_url).port
    assert port is not None
    (metrics_port,) = free_ports(1)
    env = oidc_env(provider, app_url, tmp_path)
    env["TAILGATE_LOG_LEVEL"] = "DEBUG"
    args = ["serve", "--catalog", str(catalog_path), "--port", str(port)]
    args += ["--metrics-port", str(metrics_port)]
    async with (
        tailgate_process(tmp_path, args, env=env, port=port) as service,
        WebUser.create(app_url, provider) as user,
    ):
        assert (await user.sign_in("alice")).status_code == 303
        cookie = user.session_cookie
        assert cookie is not None
        tail = await user.tail("ops")
        await tail.expect("hello")
        assert await tail.read_lines(2) == ["ops one", "ops two"]
        await tail.close()
        refused = await user.tail("dev")
        await refused.expect_close(4403)
        async with service.session.get(f"http://127.0.0.1:{metrics_port}/metrics") as response:
            exported = await response.text()
        assert 'tailgate_auth_logins_total{result="ok"} 1.0' in exported

    records = service.records()
    audit = [r for r in records if r["logger"] == "tailgate.audit"]
    events = [r["event"] for r in audit]
    assert events.count("signed_in") == 1
    assert events.count("tail_started") == events.count("tail_ended") == 1
    (refusal,) = [r for r in audit if r["event"] == "refused"]
    assert (refusal["reason"], refusal["user"], refusal["log_id"]) == ("forbidden", "alice", "dev")
    stderr = service.stderr()
    for secret in (cookie, provider.client_secret, SESSION_SECRET):
        assert secret not in stderr


async def test_missing_sign_in_settings_stop_start_up_naming_each_one(tmp_path: Path) -> None:
    catalog_path = tmp_path / "catalog.yaml"
    catalog_path.write_text("logs: []\n")
    result = run_tailgate("serve", "--catalog", str(catalog_path), env={"TAILGATE_AUTH": "oidc"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for name in REQUIRED:
        assert name in result.stderr


def test_sign_in_settings_load_with_the_service_settings(
    tmp_path: Path, provider: Provider
) -> None:
    env = oidc_env(provider, "http://127.0.0.1:1", tmp_path)
    settings = load_settings({"public_url": "http://localhost:8080/"}, env)
    assert settings.auth == "oidc"
    assert settings.oidc is not None
    # The flag wins over the variable, and both agree afterwards.
    assert settings.oidc.public_url == settings.public_url == "http://localhost:8080"
    assert settings.oidc.client_secret == provider.client_secret
    assert provider.client_secret not in repr(settings)
    assert SESSION_SECRET not in repr(settings)


@pytest.mark.parametrize(
    ("flags", "env", "expected"),
    [
        ({}, {}, [*REQUIRED, "--auth none"]),
        (
            {"auth": "none"},
            {"TAILGATE_OIDC_ISSUER": "https://id.example.com"},
            ["TAILGATE_OIDC_ISSUER is set but TAILGATE_AUTH is 'none'"],
        ),
        (
            {"public_url": "http://logs.example.com"},
            {
                "TAILGATE_OIDC_ISSUER": "https://id.example.com",
                "TAILGATE_OIDC_CLIENT_ID": "tailgate",
                "TAILGATE_OIDC_CLIENT_SECRET": "x",
                "TAILGATE_SESSION_SECRET": "short",
            },
            ["TAILGATE_PUBLIC_URL must use https", "TAILGATE_SESSION_SECRET must be at least"],
        ),
    ],
    ids=["nothing", "oidc-settings-with-auth-none", "insecure-url-and-short-secret"],
)
def test_inconsistent_sign_in_settings_are_named(
    flags: dict[str, str], env: dict[str, str], expected: list[str]
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(flags, env)
    text = "\n".join(refused.value.problems)
    for fragment in expected:
        assert fragment in text
