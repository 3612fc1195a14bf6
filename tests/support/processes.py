"""Test helpers: the installed ``tailgate`` command run as a real process.

Integration tests of the command line start ``tailgate`` exactly as an operator
would, on free loopback ports, with an environment cleared of ``TAILGATE_*``
variables so that nothing from the caller's shell changes what is tested. Output
goes to files rather than pipes: a chatty process can never block on a full pipe,
and a test can read what was written so far while the process still runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.support.tails import TIMEOUT, wait_for

#: The console script installed next to the interpreter running the tests.
TAILGATE = str(Path(sys.executable).with_name("tailgate"))

START_TIMEOUT = 15.0


def free_ports(count: int = 1) -> list[int]:
    """Ports nobody listens on right now (held together so that they differ)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test's environment without TAILGATE_* variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAILGATE_")}
    env.update(extra or {})
    return env


def run_tailgate(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 10.0
) -> subprocess.CompletedProcess[str]:
    """Run ``tailgate ARGS`` to completion; a process that keeps running fails the test."""
    return subprocess.run(
        [TAILGATE, *args],
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def json_records(text: str) -> list[dict[str, Any]]:
    """Every line of ``text`` as a JSON object; fails on a line that is not one."""
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            record = json.loads(line)
        except ValueError:
            raise AssertionError(f"line {number} is not JSON: {line!r}") from None
        assert isinstance(record, dict), f"line {number} is not a JSON object: {line!r}"
        records.append(record)
    return records


@dataclass
class ServiceProcess:
    proc: subprocess.Popen[bytes]
    base_url: str
    metrics_url: str | None
    stdout_path: Path
    stderr_path: Path
    session: aiohttp.ClientSession

    @property
    def returncode(self) -> int | None:
        return self.proc.poll()

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def records(self) -> list[dict[str, Any]]:
        """The JSON log records written to stderr so far (complete lines only)."""
        text = self.stderr()
        return json_records(text[: text.rfind("\n") + 1])

    def events(self, event: str) -> list[dict[str, Any]]:
        return [r for r in self.records() if r.get("event") == event]

    def has_message(self, message: str) -> bool:
        return any(r.get("message") == message for r in self.records())

    def signal(self, sig: int = signal.SIGTERM) -> None:
        self.proc.send_signal(sig)

    async def wait_exit(self, timeout: float = TIMEOUT) -> int:
        """The exit status, once the process has ended (at most ``timeout`` seconds)."""
        await wait_for(lambda: self.proc.poll() is not None, timeout=timeout, interval=0.01)
        return self.proc.returncode


async def _wait_ready(service: ServiceProcess, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if service.returncode is not None:
            raise AssertionError(
                f"tailgate exited with {service.returncode} before it was ready:\n"
                f"{service.stderr()}"
            )
        with contextlib.suppress(aiohttp.ClientError, OSError):
            async with service.session.get(f"{service.base_url}/readyz") as response:
                if response.status == 200:
                    return
        if loop.time() > deadline:
            raise AssertionError(f"tailgate was not ready in time:\n{service.stderr()}")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def tailgate_process(
    tmp_path: Path,
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    port: int,
    metrics_port: int | None = None,
) -> AsyncIterator[ServiceProcess]:
    """``tailgate ARGS`` running until /readyz answers 200 on ``port``; killed if left over.

    The caller chooses the ports and passes them in ``args`` or ``env``, so that tests
    of settings can say exactly how the port reaches the process.
    """
    stdout_path = tmp_path / "tailgate.stdout"
    stderr_path = tmp_path / "tailgate.stderr"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        proc = subprocess.Popen([TAILGATE, *args], env=clean_env(env), stdout=out, stderr=err)
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT))
    service = ServiceProcess(
        proc=proc,
        base_url=f"http://127.0.0.1:{port}",
        metrics_url=f"http://127.0.0.1:{metrics_port}/metrics" if metrics_port else None,
        stdout_path=stdout_path,
        stderr_path=stderr_path,
        session=session,
    )
    try:
        await _wait_ready(service, START_TIMEOUT)
        yield service
    finally:
        await session.close()
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=TIMEOUT)
