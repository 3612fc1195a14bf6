"""The terminal client as its users run it: ``.venv/bin/tailgate`` against a real server.

Every test runs the real commands as processes (``tests.support.processes``) against a
real ``tailgate serve`` process: with ``--auth none``, or with sign-in on at the real
provider of ``tests/oidc`` (started once per session by the fixtures of
``tests/auth/conftest.py``), whose public client ``tailgate-cli`` the server names in
``TAILGATE_CLI_CLIENT_ID``. Each test has a config folder of its own
(``XDG_CONFIG_HOME``), so sign-ins never leak between tests or into the user's.
"""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.auth.conftest import app_url, provider
from tests.auth.provider import Provider, node_available
from tests.auth_web.conftest import catalog, logs
from tests.auth_web.conftest import oidc_env as web_oidc_env
from tests.support.processes import (
    TAILGATE,
    ServiceProcess,
    clean_env,
    free_ports,
    tailgate_process,
)
from tests.support.tails import wait_for

__all__ = ["app_url", "catalog", "logs", "provider"]

#: The provider's public client for terminals (tests/oidc/provider.mjs).
CLI_CLIENT_ID = "tailgate-cli"

#: How long a client process may take to print what a test waits for.
WAIT = 15.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if node_available():
        return
    skip = pytest.mark.skip(reason="the test OIDC provider is not installed: run tests/setup.sh")
    for item in items:
        if "provider" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


@dataclass
class ClientProcess:
    """One ``tailgate`` client command, running; its output goes to files."""

    proc: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def lines(self) -> list[str]:
        text = self.stdout()
        return text[: text.rfind("\n") + 1].splitlines()

    async def wait_stdout(self, predicate: Callable[[list[str]], bool]) -> list[str]:
        try:
            await wait_for(
                lambda: predicate(self.lines()) or self.proc.poll() is not None, WAIT, 0.01
            )
        except AssertionError:
            raise AssertionError(f"stdout {self.lines()!r}, stderr {self.stderr()!r}") from None
        return self.lines()

    async def wait_stderr(self, pattern: str) -> re.Match[str]:
        found: list[re.Match[str]] = []

        def seen() -> bool:
            match = re.search(pattern, self.stderr())
            if match:
                found.append(match)
            return bool(match) or self.proc.poll() is not None

        try:
            await wait_for(seen, WAIT, 0.01)
        except AssertionError:
            raise AssertionError(f"{pattern!r} not in stderr {self.stderr()!r}") from None
        if not found:
            raise AssertionError(
                f"exited {self.proc.returncode} before {pattern!r}: {self.stderr()!r}"
            )
        return found[0]

    async def wait_exit(self, timeout: float = WAIT) -> int:
        try:
            await wait_for(lambda: self.proc.poll() is not None, timeout, 0.01)
        except AssertionError:
            raise AssertionError(f"still running; stderr {self.stderr()!r}") from None
        return self.proc.returncode

    def interrupt(self) -> None:
        self.proc.send_signal(signal.SIGINT)


class Terminal:
    """A user's terminal: one config folder, commands run as processes."""

    def __init__(self, folder: Path, env: Mapping[str, str] | None = None) -> None:
        self.folder = folder
        self.config = folder / "config"
        self.env = {"XDG_CONFIG_HOME": str(self.config), **(env or {})}
        self._count = 0
        self._running: list[ClientProcess] = []

    def start(self, *args: str, env: Mapping[str, str] | None = None) -> ClientProcess:
        self._count += 1
        out = self.folder / f"cli-{self._count}.stdout"
        err = self.folder / f"cli-{self._count}.stderr"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            proc = subprocess.Popen(
                [TAILGATE, *args],
                env=clean_env({**self.env, **(env or {})}),
                stdout=stdout,
                stderr=stderr,
                stdin=subprocess.DEVNULL,
            )
        process = ClientProcess(proc, out, err)
        self._running.append(process)
        return process

    async def run(self, *args: str, env: Mapping[str, str] | None = None) -> ClientProcess:
        """Run a command to its end."""
        process = self.start(*args, env=env)
        await process.wait_exit()
        return process

    def credentials_files(self) -> list[Path]:
        return sorted((self.config / "tailgate" / "servers").glob("*.json"))

    def stop_all(self) -> None:
        for process in self._running:
            if process.proc.poll() is None:
                process.proc.kill()
            process.proc.wait(timeout=10)


@pytest.fixture
def terminal(tmp_path: Path) -> Any:
    folder = tmp_path / "terminal"
    folder.mkdir()
    term = Terminal(folder)
    yield term
    term.stop_all()


Serve = Callable[..., AbstractAsyncContextManager[ServiceProcess]]


@pytest.fixture
def serve_open(tmp_path: Path) -> Serve:
    """``tailgate serve --auth none`` on a port of the test's choosing (or a free one)."""

    @asynccontextmanager
    async def start(
        logs: Mapping[str, Path],
        *,
        port: int | None = None,
        name: str = "server",
        flags: tuple[str, ...] = (),
    ) -> AsyncIterator[ServiceProcess]:
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        catalog_path = folder / "catalog.yaml"
        catalog_path.write_text(catalog(logs))
        chosen = port if port is not None else free_ports(1)[0]
        args = ["serve", "--auth", "none", "--catalog", str(catalog_path)]
        args += ["--port", str(chosen), "--metrics-port", "0", *flags]
        async with tailgate_process(folder, args, port=chosen) as service:
            yield service

    return start


def oidc_env(provider: Provider, app_url: str, folder: Path) -> dict[str, str]:
    """The server's sign-in environment, with the provider's public client for terminals."""
    return {
        **web_oidc_env(provider, app_url, folder),
        "TAILGATE_CLI_CLIENT_ID": CLI_CLIENT_ID,
        "TAILGATE_CLI_SCOPES": "openid profile email groups offline_access",
    }


#: ops: alice (group ops); dev: bob; open: everyone signed in.
RULES = {"ops": "{groups: [ops]}", "dev": "{groups: [dev]}"}


@pytest.fixture
def serve_signed(tmp_path: Path, provider: Provider, app_url: str, logs: dict[str, Path]) -> Serve:
    """``tailgate serve`` with sign-in on at the provider, at ``app_url``."""

    @asynccontextmanager
    async def start(env: Mapping[str, str] | None = None) -> AsyncIterator[ServiceProcess]:
        folder = tmp_path / "signed-server"
        folder.mkdir(exist_ok=True)
        catalog_path = folder / "catalog.yaml"
        catalog_path.write_text(catalog(logs, allow=RULES))
        port = urlsplit(app_url).port
        assert port is not None
        settings = {**oidc_env(provider, app_url, folder), **(env or {})}
        args = ["serve", "--catalog", str(catalog_path), "--port", str(port)]
        args += ["--metrics-port", "0"]
        async with tailgate_process(folder, args, env=settings, port=port) as service:
            yield service

    return start


async def stop(service: ServiceProcess) -> None:
    """SIGTERM, as an orchestrator stops a server, and wait for it to exit."""
    service.signal(signal.SIGTERM)
    assert await service.wait_exit(timeout=20) == 0


def audit(service: ServiceProcess, event: str) -> list[dict[str, Any]]:
    return [r for r in service.events(event) if r.get("logger") == "tailgate.audit"]
