"""Reading a container's lines after a cursor's position again, for a resume elsewhere.

A replica that did not stream a viewer's lines itself (a restart, another replica)
asks the API server for them: ``sinceTime`` at whole seconds, which every API
server accepts, rounded down so the answer starts at or before the position, then
the lines at or before the position are skipped by timestamp and count. ``tailLines``
bounds the answer (``limit`` lines after the position, plus room for those sharing
its second), so a cursor from long ago costs one bounded read and a ``gap``.
"""

from __future__ import annotations

from ..k8s.api import KubeApi
from .hub import Fetched
from .log_lines import Position, ResumeFilter, parse_stamped_line, since_time
from .ring import cut_base

Parsed = tuple[int, str | None, list[str]]


async def read_again(
    api: KubeApi,
    namespace: str,
    pod: str,
    container: str,
    position: Position,
    *,
    limit: int,
    max_line: int,
) -> Fetched:
    """The lines after ``position``; exact (``reached``) when at most ``limit`` came."""
    # Room for the lines up to the position that share its timestamp, and one
    # before them: then an answer that starts before the position proves it whole.
    tail = limit + 1 + min(position.count, limit)
    stream = await api.open_log(
        namespace,
        pod,
        container=container,
        follow=False,
        tail_lines=tail,
        since_time=since_time(position.ts),
    )
    parsed: list[Parsed] = []
    try:
        default = position.ts
        async for raw_lines in stream.batches():
            for raw in raw_lines:
                parsed.append(parse_stamped_line(raw, default_ts=default, max_line=max_line))
                default = parsed[-1][0]
    finally:
        stream.close()
    return lines_after(parsed, position, complete=len(parsed) < tail)


def lines_after(parsed: list[Parsed], position: Position, *, complete: bool) -> Fetched:
    """The lines of an answer to ``sinceTime`` (whole seconds) that come after ``position``.

    Skipping by count is right only when the answer holds every line stamped like the
    position: nothing was cut by ``tailLines``, or the answer starts before it. Else
    the lines sharing the first timestamp are dropped too, since which of them the
    cursor had cannot be told, and the rest are a ``gap`` away from the cursor."""
    got: list[tuple[Position, str, str | None]] = []
    if complete or (parsed and parsed[0][0] < position.ts):
        resume = ResumeFilter(position)
        current = position
        reached = True
    else:
        first = parsed[0][0] if parsed else position.ts
        resume = ResumeFilter(cut_base(first))
        current = cut_base(first)
        reached = False
    for ts, stamp, pieces in parsed:
        if not resume.fresh(ts):
            continue
        current = current.after(ts)
        got.extend((current, piece, stamp) for piece in pieces)
    return Fetched(got, reached=reached)
