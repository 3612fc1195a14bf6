"""The tests' fake Kubernetes API server in a process of its own, driven over stdin.

Run as ``python -m bench.kube_fake_runner`` from the repository root. The pod
logs scenarios need an API server tailgate can reach, and a way to append log
lines and count open log streams while tailgate and the viewers run elsewhere;
the fake in ``tests/kube`` does all that in-process, so this wraps it in a
process with a line protocol (one JSON reply per command)::

    runner -> {"url": "http://127.0.0.1:PORT"}     serving, pod bench/web-0 (app) running
    write RATE COUNT                              append lines 0..COUNT-1 at RATE lines/s
    runner -> {"first_ns", "last_ns", "lines", "most_late_ns"}   when the last is appended
    streams                                       what is open now, and the peaks so far
    runner -> {"open", "following", "peak_open", "peak_following", "log_requests", ...}
    wait-following N SECONDS                      until N followed log streams are open
    runner -> {"following": N, "since_ns": T}     T: when the count became N
    pods N                                        create pods api-0..N-1 (app=api, container app)
    runner -> {"pods": N}
    write-pods RATE COUNT                         append COUNT lines round-robin to the api pods,
    runner -> {"lines": COUNT, "seconds": S}      line K of pod P reading "P K" (K zero-padded)
    write-pods-stamped RATE COUNT                 the same, in ``bench.lines`` format: pod P's
    runner -> {"lines", "seconds", "most_late_ns"}  own sequence, stamped as it is appended
    workloads N NAMESPACES                        create N Deployments round-robin over namespaces
    runner -> {"workloads": N}                    wl-0..wl-9 (Deployments app-0..app-N-1)
    workload NAMESPACE NAME                       create one more Deployment
    runner -> {"created": "NAMESPACE/NAME"}
    faults start | faults stop                    the fault loop (see ``_faults``), and its counts
    runner -> {"cuts": ..., "expired": ..., "injected": {...}}
    runner -> {"error": "..."}                    a command that failed

End of input stops it. Every time is ``time.monotonic_ns()``, which is system-wide
on Linux, so the harness can subtract its own stamps from these.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

NAMESPACE = "bench"
POD = "web-0"
CONTAINER = "app"
ROOT = Path(__file__).resolve().parent.parent


def _classes() -> tuple[Any, Any]:
    """The fake and a log store that also counts followed streams (tests/ on first use)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.kube.fake_api import FakeKubeAPI
    from tests.kube.log_requests import LogOptions
    from tests.kube.logs import LogStore

    class CountingLogStore(LogStore):
        """Followed streams apart from one-off reads (tailgate primes its ring with one)."""

        def __init__(self, on_change: Callable[[], None]) -> None:
            super().__init__(on_change)
            self.following = 0
            self.peak_following = 0
            self.peak_open = 0
            self.requests = 0
            #: Not followed, from a time on: resumes reading lines again.
            self.reads_again = 0
            #: When ``following`` last changed, so a wait can tell when it reached N.
            self.following_since_ns = time.monotonic_ns()

        async def stream(
            self,
            container_id: str,
            options: LogOptions,
            write: Callable[[bytes], Awaitable[None]],
        ) -> bool:
            self.requests += 1
            self.peak_open = max(self.peak_open, self.open_streams + 1)
            if not options.follow and options.since_ns is not None:
                self.reads_again += 1
            if not options.follow:
                return await super().stream(container_id, options, write)
            self._follow(+1)
            try:
                return await super().stream(container_id, options, write)
            finally:
                self._follow(-1)

        def _follow(self, step: int) -> None:
            self.following += step
            self.following_since_ns = time.monotonic_ns()
            self.peak_following = max(self.peak_following, self.following)

    return FakeKubeAPI, CountingLogStore


async def _write_paced(fake: Any, rate: float, count: int) -> dict[str, int]:
    """Append lines on an absolute schedule, each stamped just before it is appended."""
    from bench.lines import line

    interval_ns = 1e9 / rate
    clock = time.monotonic_ns
    most_late = 0
    start = clock()
    seq = 0
    while seq < count:
        due = start + int(seq * interval_ns)
        now = clock()
        if now < due:
            await asyncio.sleep((due - now) / 1e9)
            continue
        most_late = max(most_late, now - due)
        fake.append_log(NAMESPACE, POD, CONTAINER, line(seq, clock())[:-1])
        seq += 1
    return {"first_ns": start, "last_ns": clock(), "lines": count, "most_late_ns": most_late}


APP_PODS = "api"


def _create_pods(fake: Any, count: int) -> dict[str, Any]:
    from tests.kube import objects

    for n in range(count):
        pod = objects.pod(f"{APP_PODS}-{n}", NAMESPACE, labels={"app": APP_PODS})
        fake.create(pod)
    fake.app_pods = count
    return {"pods": count}


def _create_workloads(fake: Any, count: int, namespaces: int) -> dict[str, Any]:
    from tests.kube import workloads

    for n in range(count):
        fake.create(workloads.deployment(f"app-{n}", f"wl-{n % namespaces}"))
    return {"workloads": count}


async def _write_pods(fake: Any, rate: float, count: int, stamped: bool = False) -> dict[str, Any]:
    """Lines round-robin over the app pods on an absolute schedule, several per tick.

    ``stamped``: line K of pod P is ``bench.lines.line(K // pods, now)``, so a viewer
    checks each pod's own sequence and times each line from its append.
    """
    from bench.lines import line

    pods = getattr(fake, "app_pods", 0)
    if not pods:
        return {"error": "no pods: send 'pods N' first"}
    interval = 1.0 / rate
    loop = asyncio.get_running_loop()
    start = loop.time()
    seq = 0
    most_late = 0.0
    while seq < count:
        due = start + seq * interval
        now = loop.time()
        if now < due:
            await asyncio.sleep(due - now)
            continue
        most_late = max(most_late, now - due)
        pod = seq % pods
        if stamped:
            text = line(seq // pods, time.monotonic_ns())[:-1].decode()
        else:
            text = f"{APP_PODS}-{pod} {seq:012d}"
        fake.append_log(NAMESPACE, f"{APP_PODS}-{pod}", CONTAINER, text)
        seq += 1
    seconds = round(loop.time() - start, 3)
    return {"lines": count, "seconds": seconds, "most_late_ns": int(most_late * 1e9)}


class _FaultLoop:
    """Once a second, something an API server under strain does, in turn.

    Every tick cuts the followed log streams (cleanly, or by dropping the
    connection), and one of: a 500 for the next log request; a 429 with
    ``Retry-After: 1`` for the next two pod requests (get, list or watch); expired
    watches (410 on resume); half a second of slow answers to log requests.
    """

    def __init__(self, fake: Any) -> None:
        self._fake = fake
        self.counts = {"cuts": 0, "broken_cuts": 0, "expired": 0, "slow_ticks": 0}
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        fake, tick = self._fake, 0
        while True:
            await asyncio.sleep(1.0)
            tick += 1
            broken = tick % 2 == 0
            fake.drop_log_streams(broken=broken)
            self.counts["cuts"] += 1
            self.counts["broken_cuts"] += broken
            faults = fake.faults
            faults.delay = 0.0
            match tick % 4:
                case 0:
                    faults.fail(500, where="/log")
                case 1:
                    faults.fail(429, times=2, where="/pods", retry_after=1)
                case 2:
                    fake.expire_watches()
                    self.counts["expired"] += 1
                case _:
                    faults.delay, faults.delay_where = 0.5, "/log"
                    self.counts["slow_ticks"] += 1

    async def stop(self) -> dict[str, Any]:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._fake.faults.clear()
        return {**self.counts, "injected": dict(self._fake.faults.injected)}


def _streams(fake: Any) -> dict[str, int]:
    logs = fake.logs
    return {
        "open": logs.open_streams,
        "following": logs.following,
        "peak_open": logs.peak_open,
        "peak_following": logs.peak_following,
        "log_requests": logs.requests,
        "reads_again": logs.reads_again,
        "watches": fake.open_watches,
    }


async def _wait_following(fake: Any, wanted: int, seconds: float) -> dict[str, Any]:
    try:
        await fake.wait_until(lambda: fake.logs.following == wanted, timeout=seconds)
    except TimeoutError:
        return {"error": f"{fake.logs.following} followed streams open after {seconds} s"}
    return {"following": wanted, "since_ns": fake.logs.following_since_ns}


async def _command(fake: Any, words: list[str]) -> dict[str, Any]:
    match words:
        case ["pods", count]:
            return _create_pods(fake, int(count))
        case ["workloads", count, namespaces]:
            return _create_workloads(fake, int(count), int(namespaces))
        case ["workload", namespace, name]:
            from tests.kube import workloads

            fake.create(workloads.deployment(name, namespace))
            return {"created": f"{namespace}/{name}"}
        case ["write-pods", rate, count]:
            return await _write_pods(fake, float(rate), int(count))
        case ["write-pods-stamped", rate, count]:
            return await _write_pods(fake, float(rate), int(count), stamped=True)
        case ["faults", "start"]:
            if getattr(fake, "fault_loop", None) is None:
                fake.fault_loop = _FaultLoop(fake)
            return {"started": True}
        case ["faults", "stop"]:
            loop = getattr(fake, "fault_loop", None)
            fake.fault_loop = None
            return {"error": "no fault loop"} if loop is None else await loop.stop()
        case ["write", rate, count]:
            return await _write_paced(fake, float(rate), int(count))
        case ["streams"]:
            return _streams(fake)
        case ["wait-following", wanted, seconds]:
            return await _wait_following(fake, int(wanted), float(seconds))
    return {"error": f"unknown command {' '.join(words)!r}"}


def _reply(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def _main() -> None:
    fake_class, store_class = _classes()
    from tests.kube import objects

    fake = fake_class()
    fake.logs = store_class(fake.notify)  # no pod exists yet, so no log is lost
    fake.create(objects.pod(POD, NAMESPACE, containers=(CONTAINER,)))
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with fake:
        _reply({"url": fake.url})
        while raw := await reader.readline():
            try:
                _reply(await _command(fake, raw.decode().split()))
            except Exception as error:  # the harness reads the reason instead of hanging
                _reply({"error": f"{type(error).__name__}: {error}"})


if __name__ == "__main__":
    asyncio.run(_main())
