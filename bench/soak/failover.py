"""A replica killed under a viewer: it resumes on another with its cursors, losing nothing.

Two tailgate instances serve one catalog: a ``pods`` selector (three pods of the
fake API server) and a file both can read, as replicas behind one Service. A viewer
tails both logs on the first, while the pods and the file are written at a steady
rate; halfway, the first instance is SIGKILLed, and the viewer reconnects to the
second with the last cursor it got for each log, as a browser does. The tally says,
per source, how many lines were lost or duplicated across the switch. The second
instance keeps a short ring (``--max-backlog 100`` for three pods) and the viewer
waits 1.5 s before it reconnects, as a browser does, so some of the pod lines it
missed meanwhile are read again from the API server.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from bench.kube_fake import fake_cluster
from bench.servers import Tailgate
from bench.soak.pod_faults import ENTRY, LOG_ID, TAILGATE, Tally, expected_pod_lines, viewer

NAME = "failover"
TITLE = "tailgate SIGKILLed under a viewer of a pods selector and a file; resumed on another"
FILE_ID = "app"
FILE_SOURCE = "file"
#: The second instance's ring: shorter than what is written while the viewer switches.
SECOND_BACKLOG = 100
#: A browser waits a moment before it reconnects; lines pile up meanwhile.
RECONNECT_AFTER = 1.5


def _write_file(path: Path, rate: float, count: int) -> None:
    """Lines ``file K``, one write each, on an absolute schedule (run in a thread)."""
    start = time.monotonic()
    with path.open("a", buffering=1) as out:
        for seq in range(count):
            due = start + seq / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            out.write(f"file {seq:012d}\n")


async def measure(
    workdir: Path, *, seconds: float, pods: int = 3, rate: float = 100.0, command: str = TAILGATE
) -> dict[str, object]:
    count = int(rate * seconds)
    log_file = workdir / "app.log"
    log_file.touch()
    entries = [ENTRY, {"id": FILE_ID, "file": str(log_file)}]
    pod_tally, file_tally = Tally(), Tally()
    async with fake_cluster(workdir) as cluster:
        await cluster.command(f"pods {pods}")
        env = {"KUBECONFIG": str(cluster.write_kubeconfig(workdir / "kubeconfig"))}
        first_dir, second_dir = workdir / "first", workdir / "second"
        first_dir.mkdir()
        second_dir.mkdir()
        async with (
            Tailgate(command, name="first").serve(entries, first_dir, env) as first,
            Tailgate(command, name="second").serve(
                entries,
                second_dir,
                env
                | {
                    "TAILGATE_MAX_BACKLOG": str(SECOND_BACKLOG),
                    "TAILGATE_DEFAULT_BACKLOG": str(SECOND_BACKLOG),
                },
            ) as second,
            viewer(pod_tally) as pod_view,
            viewer(file_tally, FILE_SOURCE) as file_view,
        ):
            # The logs are empty: a backlog makes the start of the file certain to count.
            pod_view.follow(first.endpoint.tail_url(LOG_ID, backlog=SECOND_BACKLOG))
            file_view.follow(first.endpoint.tail_url(FILE_ID, backlog=SECOND_BACKLOG))
            await cluster.wait_following(pods)
            await pod_view.hello.wait()
            await file_view.hello.wait()
            pods_written = asyncio.create_task(
                cluster.command(f"write-pods {rate} {count}", timeout=seconds + 60)
            )
            file_written = asyncio.create_task(
                asyncio.to_thread(_write_file, log_file, rate, count)
            )
            # Kill once both logs have delivered about half.
            await pod_view.until(count // 2, timeout=seconds + 30)
            await file_view.until(count // 2, timeout=seconds + 30)
            killed_at = (pod_tally.received, file_tally.received)
            first.process.send_signal(signal.SIGKILL)
            await pod_view.closed.wait()
            await file_view.closed.wait()
            await asyncio.sleep(RECONNECT_AFTER)
            pod_view.follow(second.endpoint.tail_url(LOG_ID, backlog=SECOND_BACKLOG))
            file_view.follow(second.endpoint.tail_url(FILE_ID, backlog=SECOND_BACKLOG))
            await pods_written
            await file_written
            pods_done = await pod_view.until(count, timeout=30.0)
            file_done = await file_view.until(count, timeout=30.0)
            second.check_alive()
            second_problems = second.log_problems()["count"]
            streams = await cluster.streams()
    pod_figures = pod_tally.figures(expected_pod_lines(pods, count))
    file_figures = file_tally.figures({FILE_SOURCE: set(range(count))})
    return {
        "lines_per_log": count,
        "received_when_killed": {"pods": killed_at[0], "file": killed_at[1]},
        "pods_complete": pods_done,
        "file_complete": file_done,
        "pods_lost": pod_figures["lost"],
        "pods_duplicated": pod_figures["duplicated"],
        "file_lost": file_figures["lost"],
        "file_duplicated": file_figures["duplicated"],
        "gap_notices": pod_tally.gaps + file_tally.gaps,
        "error_frames": {**pod_figures["error_frames"], **file_figures["error_frames"]},
        "pods_per_source": pod_figures["per_source"],
        "second_log_problems": second_problems,
        "pod_log_requests": streams["log_requests"],
        "pod_log_reads_again": streams["reads_again"],
    }


async def run(workdir: Path, quick: bool) -> dict[str, object]:
    return await measure(workdir, seconds=8.0 if quick else 60.0)
