"""Where a viewer of a pod log starts: its backlog, or its cursor resolved on this stream.

A cursor of this very stream resumes by line number (``seq``), notices included. Any
other cursor (another replica's, or this one's before a restart) resumes by the
positions it carries, source by source: the ring supplies what it holds, and what
it lacks is read again from the API server (``fetch_after`` of the source's
``ContainerLog``) before the viewer joins the live stream.

The cursor is checked here, against the log it is used on: it must carry this
log's tag, and only sources this stream itself follows (the pods its catalog entry
selects, in its namespace) can be read for it, since positions are matched by the
hash of the sources the stream has, never turned into a pod name. Anything
malformed is a ``bad_cursor`` problem and a fresh start, never an exception.
"""

from __future__ import annotations

import asyncio
import logging

from ..errors import BadCursor, SourceError
from ..streaming.fanout import Sink
from .batches import Batch, frames
from .hub import Backfill, Fetched, LineHub, Start
from .log_lines import Position
from .pod_cursor import LegacyCursor, PodCursor, source_hash
from .ring import Entry, after
from .subscriber import Subscriber

log = logging.getLogger(__name__)

#: A resume gives up reading sources again after this long (their lines are a gap).
FETCH_SECONDS = 10.0
#: At most this many reads again run at once per log, whatever the number of resumes:
#: a rolling update must not turn every viewer into a burst of API server requests.
PARALLEL_FETCHES = 4
#: A read again is shared, and kept this long after it ends, by every resume that
#: asks for the same source from the same position: after a rolling update, the
#: viewers that were at the live end all come with the same cursor at once.
SHARED_SECONDS = 5.0


async def subscribe(
    hub: LineHub, viewer: Sink, backlog: int, cursor: str | None, *, since: int | None = None
) -> tuple[Subscriber, Start]:
    """A place in the stream for a new viewer, and what it gets first.

    ``since`` (ns, without a cursor): every line stamped then or later, from the ring
    and, for what the ring no longer holds, from the API server (``sinceTime``)."""
    if not cursor and since is not None:
        at = Position(since, 0)
        wanted = {source: at for source in hub.sources().values()}
        fetched = await _fetch(hub, _lacking(hub, wanted))
        return subscribe_at(hub, viewer, wanted, fetched, default=at, floors={}, gaps=[])
    if not cursor:
        return hub.subscribe(viewer, backlog)
    try:
        decoded = PodCursor.decode(cursor)
    except BadCursor as exc:
        return _fresh(hub, viewer, backlog, str(exc))
    floors: dict[int, Position] = {}
    gaps: list[str] = []
    sources = hub.sources()
    if isinstance(decoded, LegacyCursor):
        # One position merged over every pod: exact for a single container only.
        at = decoded.position
        default = Position(at.ts, 0)
        wanted = {s: at if s is None else default for s in sources.values()}
        gaps = [s for s in wanted if s is not None]
    else:
        if decoded.log != hub.log:
            return _fresh(hub, viewer, backlog, "the cursor belongs to another log; starting anew")
        if decoded.epoch == hub.epoch and decoded.seq:
            exact = hub.subscribe_seq(viewer, decoded.seq)
            if exact is not None:
                return exact
        default = Position(decoded.newest, 0)
        wanted = {source: decoded.positions.get(key, default) for key, source in sources.items()}
        # Sources this stream does not follow (yet): their lines, if they come, are
        # dropped up to the cursor's position; nothing is read for them.
        floors = {k: p for k, p in decoded.positions.items() if k not in sources}
    fetched = await _fetch(hub, _lacking(hub, wanted))
    return subscribe_at(hub, viewer, wanted, fetched, default=default, floors=floors, gaps=gaps)


def subscribe_at(
    hub: LineHub,
    viewer: Sink,
    wanted: dict[str | None, Position],
    fetched: dict[str | None, Fetched],
    *,
    default: Position,
    floors: dict[int, Position],
    gaps: list[str],
) -> tuple[Subscriber, Start]:
    """A viewer resumed after ``wanted`` positions (another stream's cursor): first the
    ``fetched`` lines the ring lacks, then the ring's lines after them."""
    subscriber = hub.place(viewer)
    ring = hub.ring
    have = dict(wanted)
    out: list[Batch] = []
    gaps = list(gaps)
    for source, got in fetched.items():
        if not got.reached:
            gaps.append(_name(source))
        if got.lines:
            entries = [Entry(0, 0, source, p, t, s) for p, t, s in got.lines]
            out += frames(entries, have, epoch=hub.epoch, log=hub.log, by_seq=False)
            have[source] = got.lines[-1][0]
    for source, position in have.items():
        newest = ring.positions.get(source)
        if newest is not None and not after(newest, position):
            if after(position, newest):
                subscriber.floors[source_hash(source)] = position
        elif not ring.covers(source, position):
            gaps.append(_name(source))
    subscriber.floors.update(floors)
    picked = [
        e
        for e in ring.entries
        if e.position is not None and after(e.position, have.get(e.source, default))
    ]
    out += frames(picked, have, epoch=hub.epoch, log=hub.log, by_seq=False, notices=False)
    gap = None
    if gaps:
        gap = (
            f"lines of {', '.join(sorted(set(gaps)))} may be missing: the log moved on "
            "further since this cursor than can be read again"
        )
    return subscriber, Start(out, gap=gap)


def _fresh(hub: LineHub, viewer: Sink, backlog: int, problem: str) -> tuple[Subscriber, Start]:
    subscriber, start = hub.subscribe(viewer, backlog)
    return subscriber, Start(start.batches, problem=problem)


def _lacking(hub: LineHub, wanted: dict[str | None, Position]) -> dict[str | None, Position]:
    """Sources with lines after the wanted position that the ring does not hold."""
    ring = hub.ring
    lacking = {}
    for source, position in wanted.items():
        newest = ring.positions.get(source)
        if newest is None or not after(newest, position) or ring.covers(source, position):
            continue
        if source in hub.backfills:
            lacking[source] = position
    return lacking


async def _fetch(hub: LineHub, lacking: dict[str | None, Position]) -> dict[str | None, Fetched]:
    if not lacking:
        return {}

    async def one(source: str | None, position: Position) -> Fetched:
        backfill = hub.backfills.get(source)
        if backfill is None:
            return Fetched([], reached=False)
        key = (source, position)
        shared = hub.fetching.get(key)
        if shared is None:
            shared = asyncio.ensure_future(_read_again(backfill, source, position, hub))
            hub.fetching[key] = shared
            shared.add_done_callback(lambda done: _forget_later(hub, key, done))
        # Shielded: one viewer leaving must not cancel the read for the others.
        return await asyncio.shield(shared)

    # One deadline for the whole resume, however many sources it reads again: what is
    # not read by then is a gap, and the viewer goes on.
    tasks = {s: asyncio.ensure_future(one(s, p)) for s, p in lacking.items()}
    try:
        await asyncio.wait(tasks.values(), timeout=FETCH_SECONDS)
    finally:
        late = [task for task in tasks.values() if not task.done()]
        for task in late:
            task.cancel()  # the shared read goes on for others; this wait ends
        if late:
            await asyncio.wait(late)
    results = {}
    for source, task in tasks.items():
        if not task.cancelled() and task.exception() is None:
            results[source] = task.result()
        else:
            results[source] = Fetched([], reached=False)
    return results


async def _read_again(
    backfill: Backfill, source: str | None, position: Position, hub: LineHub
) -> Fetched:
    gate = hub.reads_again
    if gate is None:
        gate = hub.reads_again = asyncio.Semaphore(PARALLEL_FETCHES)
    try:
        async with asyncio.timeout(FETCH_SECONDS):
            async with gate:
                return await backfill(position, hub.capacity)
    except (SourceError, TimeoutError) as exc:
        log.warning("reading %s again for a resume failed: %s", source or "the log", exc)
    except Exception:
        log.exception("reading %s again for a resume failed", source or "the log")
    return Fetched([], reached=False)


def _forget_later(
    hub: LineHub, key: tuple[str | None, Position], done: asyncio.Future[Fetched]
) -> None:
    def forget() -> None:
        if hub.fetching.get(key) is done:
            del hub.fetching[key]

    asyncio.get_running_loop().call_later(SHARED_SECONDS, forget)


def _name(source: str | None) -> str:
    return "the container" if source is None else source
