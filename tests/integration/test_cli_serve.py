"""``tailgate serve``: settings from flags and environment, and refusals a person can act on."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from tests.support.processes import free_ports, run_tailgate, tailgate_process
from tests.support.tails import TailClient, catalog_yaml


def write_catalog(tmp_path: Path) -> Path:
    log = tmp_path / "app.log"
    log.write_text("first\nsecond\n")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(catalog_yaml({"app": log}))
    return catalog


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """The process exited non-zero with a message, not a traceback; returns its stderr."""
    stderr = result.stderr
    assert result.returncode != 0, stderr
    assert "Traceback" not in stderr, stderr
    for word in words:
        assert word in stderr, stderr
    return stderr


def test_auth_none_on_a_public_address_is_refused_naming_loopback(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path)
    port, metrics_port = free_ports(2)
    result = run_tailgate(
        "serve", "--auth", "none", "--host", "0.0.0.0", "--catalog", str(catalog),
        "--port", str(port), "--metrics-port", str(metrics_port),
    )  # fmt: skip
    assert_refused(result, "--auth none", "loopback", "0.0.0.0")


def test_a_missing_catalog_flag_is_refused_naming_the_flag_and_variable() -> None:
    result = run_tailgate("serve", "--auth", "none")
    assert_refused(result, "--catalog", "TAILGATE_CATALOG")


def test_a_catalog_file_that_does_not_exist_is_refused_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    port, metrics_port = free_ports(2)
    result = run_tailgate(
        "serve", "--auth", "none", "--catalog", str(missing),
        "--port", str(port), "--metrics-port", str(metrics_port),
    )  # fmt: skip
    assert_refused(result, str(missing))


def test_an_invalid_catalog_at_start_is_refused_listing_its_problems(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "logs:\n  - id: app\n    file: relative.log\n  - id: Upper\n    file: /var/log/upper.log\n"
    )
    port, metrics_port = free_ports(2)
    result = run_tailgate(
        "serve", "--auth", "none", "--catalog", str(catalog),
        "--port", str(port), "--metrics-port", str(metrics_port),
    )  # fmt: skip
    stderr = assert_refused(result, "invalid catalog")
    assert f"{catalog}:3: logs[0].file: must be an absolute path" in stderr
    assert f"{catalog}:4: logs[1].id: invalid id 'Upper'" in stderr


def test_a_catalog_that_is_not_utf8_is_refused_without_a_traceback(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_bytes(b"logs:\n  - id: app\n    file: /var/log/\xff.log\n")
    port, metrics_port = free_ports(2)
    result = run_tailgate(
        "serve", "--auth", "none", "--catalog", str(catalog),
        "--port", str(port), "--metrics-port", str(metrics_port),
    )  # fmt: skip
    assert_refused(result, str(catalog))


def test_without_auth_none_the_service_explains_that_sign_in_is_not_available(
    tmp_path: Path,
) -> None:
    catalog = write_catalog(tmp_path)
    port, metrics_port = free_ports(2)
    result = run_tailgate(
        "serve", "--catalog", str(catalog), "--port", str(port), "--metrics-port", str(metrics_port)
    )
    assert_refused(result, "--auth oidc", "--auth none")


def test_a_port_already_in_use_is_refused_naming_the_address(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_tailgate(
            "serve", "--auth", "none", "--catalog", str(catalog),
            "--port", str(port), "--metrics-port", "0",
        )  # fmt: skip
    assert_refused(result, "cannot start", str(port))


def test_a_port_that_is_not_a_number_is_refused_naming_the_flag(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path)
    result = run_tailgate("serve", "--auth", "none", "--catalog", str(catalog), "--port", "abc")
    assert_refused(result, "--port", "'abc'")


def test_a_bad_environment_variable_is_refused_naming_the_variable(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path)
    result = run_tailgate(
        "serve",
        env={"TAILGATE_CATALOG": str(catalog), "TAILGATE_AUTH": "none", "TAILGATE_PORT": "80x"},
    )
    assert_refused(result, "TAILGATE_PORT", "'80x'")


def test_every_settings_problem_is_reported_at_once(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path)
    result = run_tailgate(
        "serve", "--auth", "none", "--catalog", str(catalog),
        "--port", "abc", "--max-tails", "0", "--log-level", "LOUD",
    )  # fmt: skip
    assert_refused(result, "--port", "--max-tails", "--log-level")


async def test_settings_from_environment_variables_alone_start_the_service(
    tmp_path: Path,
) -> None:
    catalog = write_catalog(tmp_path)
    port, metrics_port = free_ports(2)
    env = {
        "TAILGATE_CATALOG": str(catalog),
        "TAILGATE_AUTH": "none",
        "TAILGATE_HOST": "127.0.0.1",
        "TAILGATE_PORT": str(port),
        "TAILGATE_METRICS_PORT": str(metrics_port),
        "TAILGATE_DEFAULT_BACKLOG": "1",
    }
    async with tailgate_process(
        tmp_path, ["serve"], env=env, port=port, metrics_port=metrics_port
    ) as service:
        async with service.session.get(f"{service.base_url}/api/logs") as response:
            assert (await response.json())["logs"] == [
                {"id": "app", "title": "app", "kind": "file"}
            ]
        assert service.metrics_url is not None
        async with service.session.get(service.metrics_url) as response:
            assert response.status == 200
            assert "tailgate_catalog_entries 1.0" in await response.text()
        ws = await service.session.ws_connect(f"{service.base_url}/ws/tail/app")
        tail = TailClient(ws)
        await tail.expect("hello")
        assert await tail.read_lines(1) == ["second"]
        await tail.close()


async def test_flags_win_over_environment_variables(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path)
    port, metrics_port = free_ports(2)
    env = {
        "TAILGATE_CATALOG": str(catalog),
        "TAILGATE_AUTH": "none",
        "TAILGATE_PORT": "not-a-port",
        "TAILGATE_METRICS_PORT": str(metrics_port),
    }
    async with (
        tailgate_process(tmp_path, ["serve", "--port", str(port)], env=env, port=port) as service,
        service.session.get(f"{service.base_url}/healthz") as response,
    ):
        assert response.status == 200
