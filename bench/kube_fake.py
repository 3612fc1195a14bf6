"""The harness's handle on the fake Kubernetes API server: start it, drive it, stop it.

The fake runs in a process of its own (:mod:`bench.kube_fake_runner`) so that
appending lines and serving log streams never share an event loop with the
measuring code. Like the servers under test it gets its own process group and is
always stopped when its context ends. tailgate reaches it through a kubeconfig
written here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench import procfs
from bench.kube_fake_runner import ROOT
from bench.servers import ServerFailed, log_tail


@dataclass
class FakeCluster:
    """A running fake API server and the pipe that drives it."""

    process: asyncio.subprocess.Process
    log_path: Path
    url: str = ""

    async def _command(self, line: str, timeout: float) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()
        try:
            raw = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        except TimeoutError:
            raise ServerFailed(f"fake API server silent for {timeout:.0f} s on {line!r}") from None
        if not raw:
            raise ServerFailed(f"fake API server exited: {log_tail(self.log_path)}")
        reply: dict[str, Any] = json.loads(raw)
        if "error" in reply:
            raise ServerFailed(f"fake API server, {line!r}: {reply['error']}")
        return reply

    async def write(self, rate: int, count: int) -> dict[str, int]:
        """Append lines 0..count-1 to the pod's log at ``rate`` lines/s; returns the span."""
        return await self._command(f"write {rate} {count}", count / rate + 30.0)

    async def command(self, line: str, timeout: float = 60.0) -> dict[str, Any]:
        """Any runner command (see ``bench.kube_fake_runner``), and its reply."""
        return await self._command(line, timeout)

    async def streams(self) -> dict[str, int]:
        """Open log streams (all, and followed ones), their peaks, and log requests so far."""
        return await self._command("streams", 10.0)

    async def wait_following(self, count: int, timeout: float = 30.0) -> int:
        """Wait until ``count`` followed log streams are open; when that became so (ns)."""
        reply = await self._command(f"wait-following {count} {timeout}", timeout + 10.0)
        return int(reply["since_ns"])

    def cpu_seconds(self) -> float:
        return procfs.cpu_seconds(self.process.pid)

    def write_kubeconfig(self, path: Path) -> Path:
        """A kubeconfig with one cluster, the fake, and a user without credentials."""
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "bench"}}],
            "current-context": "fake",
            "users": [{"name": "bench", "user": {}}],
        }
        path.write_text(yaml.safe_dump(config))
        return path


@contextlib.asynccontextmanager
async def fake_cluster(workdir: Path, timeout: float = 30.0) -> AsyncIterator[FakeCluster]:
    """The fake API server on a free loopback port, with pod ``bench/web-0`` running."""
    log_path = workdir / "kube-fake.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.kube_fake_runner",
            cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=log, start_new_session=True,
        )  # fmt: skip
    cluster = FakeCluster(process, log_path)
    try:
        assert process.stdout is not None
        try:
            raw = await asyncio.wait_for(process.stdout.readline(), timeout)
        except TimeoutError:
            raise ServerFailed(f"fake API server not serving in {timeout:.0f} s") from None
        if not raw:
            raise ServerFailed(f"fake API server did not start: {log_tail(log_path)}")
        cluster.url = json.loads(raw)["url"]
        yield cluster
    finally:
        await _stop(process)


async def _stop(process: asyncio.subprocess.Process, grace: float = 5.0) -> None:
    """End of input stops the runner; SIGKILL its group if it lingers."""
    if process.stdin is not None:
        process.stdin.close()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    await process.wait()
