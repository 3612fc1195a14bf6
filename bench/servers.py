"""Starting and stopping the servers under test: tailgate and the websocketd baseline.

Both are launched the same way, as :class:`Launcher`\\ s that turn a set of log
files into a running :class:`Server` on a loopback port, so every scenario runs
unchanged against either. Each server gets its own process group, and leaving the
context always stops it (SIGTERM, then SIGKILL for the group), so no ``tail`` or
server outlives a run. tailgate can also serve any catalog (:meth:`Tailgate.serve`),
which is how the pod logs scenarios point it at a fake Kubernetes API server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import aiohttp
import yaml

from bench import procfs

HOST = "127.0.0.1"
Framing = Literal["json", "line"]


class ServerFailed(RuntimeError):
    """A server did not start, or died; the message carries the end of its log."""


@dataclass(frozen=True)
class Endpoint:
    """How viewers reach one running server. Plain data, so viewer processes can take it."""

    kind: Literal["tailgate", "websocketd"]
    port: int

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def framing(self) -> Framing:
        """tailgate batches lines in JSON frames; websocketd sends one message per line."""
        return "json" if self.kind == "tailgate" else "line"

    def tail_path(self, log_id: str, backlog: int = 0, query: str = "") -> str:
        if self.kind == "tailgate":
            return f"/ws/tail/{log_id}?backlog={backlog}{'&' + query if query else ''}"
        # websocketd runs one command for every URL; the backlog is in its command line,
        # and the query picks the file when it serves several.
        return f"/ws/tail/{log_id}?id={log_id}"

    def tail_url(self, log_id: str, backlog: int = 0) -> str:
        return f"ws://{HOST}:{self.port}{self.tail_path(log_id, backlog)}"


@dataclass
class Server:
    """A running server: its process, its endpoint, and what it printed."""

    name: str
    endpoint: Endpoint
    process: subprocess.Popen[bytes]
    log_path: Path
    metrics_port: int | None = None
    stop_report: dict[str, object] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def processes(self) -> list[int]:
        """The server and its children (websocketd's ``tail``\\ s)."""
        return procfs.tree(self.pid)

    def cpu_seconds(self) -> float:
        return procfs.total_cpu_seconds(self.processes())

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise ServerFailed(
                f"{self.name} exited with {self.process.returncode}: {log_tail(self.log_path)}"
            )

    async def wait_following(
        self, paths: Sequence[Path], count: int, timeout: float = 30.0
    ) -> None:
        """Wait until ``count`` tails of ``paths`` are open server-side.

        tailgate says so with its hello frame, which the viewers already waited for;
        websocketd says nothing, so wait until that many ``tail`` children hold one
        of the files, else lines written meanwhile would be lost to the baseline.
        """
        if self.endpoint.kind == "tailgate":
            return
        deadline = time.monotonic() + timeout
        wanted = {str(path) for path in paths}
        while True:
            holding = sum(
                bool(procfs.open_paths(pid) & wanted) for pid in procfs.children(self.pid)
            )
            if holding >= count:
                return
            self.check_alive()
            if time.monotonic() > deadline:
                raise ServerFailed(f"{self.name}: {holding} of {count} tails opened")
            await asyncio.sleep(0.05)

    async def metric(self, name: str) -> float | None:
        """The sum of a metric's samples on ``/metrics``, or None when not exposed."""
        if self.metrics_port is None:
            return None
        url = f"http://{HOST}:{self.metrics_port}/metrics"
        try:
            async with aiohttp.ClientSession() as session, session.get(url) as response:
                text = await response.text()
        except aiohttp.ClientError:
            return None
        values = [
            float(row.rsplit(" ", 1)[1])
            for row in text.splitlines()
            if row.startswith(name) and row[len(name) : len(name) + 1] in (" ", "{")
        ]
        return sum(values) if values else None

    def log_problems(self, keep: int = 3) -> dict[str, object]:
        """How many lines of the server's output look like errors, and the first few."""
        try:
            rows = self.log_path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return {"count": 0, "first": []}
        keys = ("Traceback", "ERROR", "Error", "CRITICAL", "WARNING", "xception")
        found = [row for row in rows if any(key in row for key in keys)]
        return {"count": len(found), "first": [row[:400] for row in found[:keep]]}


class Launcher(Protocol):
    """Starts one kind of server following a set of log files."""

    @property
    def name(self) -> str: ...

    def start(
        self, logs: Mapping[str, Path], workdir: Path, *, backlog: int = 0
    ) -> contextlib.AbstractAsyncContextManager[Server]:
        """``backlog`` is the websocketd command's ``-n``; tailgate takes it per URL."""
        ...


@dataclass(frozen=True)
class Tailgate:
    """``tailgate serve`` with authentication off and the tail caps lifted."""

    command: str
    name: str = "tailgate"

    def start(
        self, logs: Mapping[str, Path], workdir: Path, *, backlog: int = 0
    ) -> contextlib.AbstractAsyncContextManager[Server]:
        entries = [{"id": log_id, "file": str(path)} for log_id, path in logs.items()]
        return self.serve(entries, workdir)

    @contextlib.asynccontextmanager
    async def serve(
        self,
        entries: Sequence[Mapping[str, object]],
        workdir: Path,
        env: Mapping[str, str] | None = None,
        discover: Sequence[Mapping[str, object]] = (),
    ) -> AsyncIterator[Server]:
        """Serve any catalog ``entries`` (pod logs too) and ``discover`` rules, with ``env``
        added to its environment."""
        catalog = workdir / "catalog.yaml"
        document: dict[str, object] = {"logs": [dict(entry) for entry in entries]}
        if discover:
            document["discover"] = [dict(rule) for rule in discover]
        catalog.write_text(yaml.safe_dump(document))
        port, metrics_port = free_port(), free_port()
        inherited = os.environ.items()
        # Only what the caller passes reaches Kubernetes: no in-cluster or stray kubeconfig.
        skipped = ("TAILGATE_", "KUBECONFIG", "KUBERNETES_")
        server_env = {key: value for key, value in inherited if not key.startswith(skipped)}
        server_env |= {
            "TAILGATE_MAX_TAILS": "100000",
            "TAILGATE_MAX_TAILS_PER_CLIENT": "100000",
            # Every viewer connects from 127.0.0.1.
            "TAILGATE_MAX_CONNECTIONS_PER_CLIENT": "0",
        }
        server_env |= env or {}
        argv = [
            self.command, "serve", "--catalog", str(catalog), "--host", HOST,
            "--port", str(port), "--metrics-port", str(metrics_port), "--auth", "none",
        ]  # fmt: skip
        server = _spawn(self.name, argv, server_env, workdir, Endpoint("tailgate", port))
        server.metrics_port = metrics_port
        try:
            await _wait_ready(server, f"http://{HOST}:{port}/readyz")
            yield server
        finally:
            await _stop(server)


@dataclass(frozen=True)
class Websocketd:
    """websocketd running ``tail -n BACKLOG -F FILE`` for each connection."""

    name: str = "websocketd"

    @contextlib.asynccontextmanager
    async def start(
        self, logs: Mapping[str, Path], workdir: Path, *, backlog: int = 0
    ) -> AsyncIterator[Server]:
        if len(logs) == 1:
            (path,) = logs.values()
            command = ["tail", f"-n{backlog}", "-F", str(path)]
        else:
            # One websocketd serves one command: the query names the file, through
            # links so that no id reaches the shell unquoted.
            links = workdir / "websocketd-logs"
            links.mkdir(exist_ok=True)
            for log_id, path in logs.items():
                (links / log_id).symlink_to(path)
            script = 'exec tail -n"$1" -F "$0/${QUERY_STRING#id=}"'
            command = ["sh", "-c", script, str(links), str(backlog)]
        port = free_port()
        argv = ["websocketd", f"--port={port}", f"--address={HOST}", "--loglevel=error", *command]
        server = _spawn(self.name, argv, dict(os.environ), workdir, Endpoint("websocketd", port))
        try:
            await _wait_listening(server, port)
            yield server
        finally:
            await _stop(server)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def log_tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except FileNotFoundError:
        return ""


def _spawn(
    name: str, argv: list[str], env: dict[str, str], workdir: Path, endpoint: Endpoint
) -> Server:
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv,
            env=env,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, endpoint, process, log_path)


async def _wait_ready(server: Server, url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            server.check_alive()
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            if time.monotonic() > deadline:
                raise ServerFailed(f"{server.name} not ready in {timeout:.0f} s")
            await asyncio.sleep(0.05)


async def _wait_listening(server: Server, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        server.check_alive()
        try:
            _, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            if time.monotonic() > deadline:
                raise ServerFailed(f"{server.name} not listening in {timeout:.0f} s") from None
            await asyncio.sleep(0.02)
            continue
        writer.close()
        await writer.wait_closed()
        return


async def _stop(server: Server, grace: float = 5.0) -> None:
    """SIGTERM the server; SIGKILL its whole group if it lingers or left children."""
    process = server.process
    started = time.monotonic()
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        while process.poll() is None and time.monotonic() - started < grace:
            await asyncio.sleep(0.01)
    server.stop_report = {
        "exit_code": process.poll(),
        "stop_seconds": round(time.monotonic() - started, 3),
    }
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait()
