"""What one viewer is owed, in order: a bounded queue of frames, as pure logic.

Every frame a viewer gets (hello, lines, notices, errors, state notices, answers to
its own bad messages) passes through its outbox, so frames leave in the order they
were made, nothing is written before the hello, and nothing of the log while the
viewer is paused (answers to its own messages still are).
The outbox does no I/O: the viewer asks it for the next frame when the connection
can take one, and tells it how much the connection already holds unsent.

Each kind of frame has its own bound, because each comes from someone else:

- lines (``push``): the source waits while ``data_room`` is false, so a slow
  connection slows only its own reading;
- notices and errors from the source (``control``): rare, but a long pause could
  pile them up; past ``control_limit`` the oldest are dropped and counted, and the
  viewer hears how many once it reads again;
- answers to the client's bad messages (``reply``): the client decides how many it
  provokes, so a client that sends too many in a row, or keeps sending them without
  reading the answers, is refused: ``reply`` returns False and the caller closes the
  connection (1008).
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass

from .frames import notice_payload, ws_text_frame

#: Bytes of queued lines frames before a source must wait.
DATA_LIMIT = 64 * 1024
#: Bytes of queued notices and errors before the oldest are dropped.
CONTROL_LIMIT = 64 * 1024
#: Bytes of queued answers to bad messages before another one closes the connection.
REPLY_LIMIT = 64 * 1024
#: Bad messages in a row (without a valid one between) a client may send.
BAD_IN_A_ROW = 32


class Kind(enum.Enum):
    HELLO = "hello"
    DATA = "data"
    CONTROL = "control"
    REPLY = "reply"


@dataclass(slots=True, frozen=True)
class Outgoing:
    """One frame as it goes on the wire, with what it counts for."""

    frame: bytes
    size: int
    lines: int
    kind: Kind

    @classmethod
    def of(cls, payload: bytes, kind: Kind, lines: int = 0) -> Outgoing:
        return cls(ws_text_frame(payload), len(payload), lines, kind)


class Outbox:
    def __init__(
        self,
        *,
        data_limit: int = DATA_LIMIT,
        control_limit: int = CONTROL_LIMIT,
        reply_limit: int = REPLY_LIMIT,
        bad_in_a_row: int = BAD_IN_A_ROW,
    ) -> None:
        self._queue: deque[Outgoing] = deque()
        self._bytes = {kind: 0 for kind in Kind}
        self._data_limit = data_limit
        self._control_limit = control_limit
        self._reply_limit = reply_limit
        self._bad_in_a_row = bad_in_a_row
        self._bad = 0
        self.opened = False
        self.paused = False
        #: Notices and errors dropped from a full queue, not yet reported.
        self.dropped = 0
        self._state: bytes | None = None
        self._state_sent: bytes | None = None

    # -- what can go out ----------------------------------------------------------

    def __len__(self) -> int:
        return len(self._queue)

    @property
    def flowing(self) -> bool:
        """Frames may leave now (the hello went first, and the viewer is not paused)."""
        return self.opened and not self.paused

    @property
    def idle(self) -> bool:
        """Nothing waits: a frame made now may skip the queue and go out at once."""
        return self.flowing and not self._queue and not self.dropped

    def data_room(self) -> bool:
        return self._bytes[Kind.DATA] < self._data_limit

    def queued_bytes(self) -> int:
        return sum(self._bytes.values())

    def next(self) -> Outgoing | None:
        """The next frame to write, or None when none may go out now.

        While paused only answers to the client's own messages leave, so that it
        learns at once what it got wrong (and can tell its messages were read).
        """
        if self.opened and self.paused and self._bytes[Kind.REPLY]:
            answer = next(i for i in self._queue if i.kind is Kind.REPLY)
            self._queue.remove(answer)
            self._bytes[Kind.REPLY] -= answer.size
            return answer
        if not self.flowing:
            return None
        if self.dropped:
            count, self.dropped = self.dropped, 0
            payload = notice_payload(
                "skipped",
                f"{count} notices were dropped while this connection did not read",
                notices=count,
            )
            return Outgoing.of(payload, Kind.CONTROL)
        if not self._queue:
            return None
        item = self._queue.popleft()
        self._bytes[item.kind] -= item.size
        return item

    # -- what comes in --------------------------------------------------------------

    def open(self, hello: Outgoing) -> None:
        """The hello goes first, before anything queued while the tail started."""
        self._queue.appendleft(hello)
        self._bytes[hello.kind] += hello.size
        self.opened = True

    def push(self, item: Outgoing) -> None:
        """Lines (or a notice in line with them); the caller respects ``data_room``."""
        self._add(item)

    def control(self, item: Outgoing) -> None:
        """A notice or error from the source; past the bound the oldest such go."""
        self._add(item)
        while self._bytes[Kind.CONTROL] > self._control_limit:
            oldest = next(i for i in self._queue if i.kind is Kind.CONTROL)
            self._queue.remove(oldest)
            self._bytes[Kind.CONTROL] -= oldest.size
            self.dropped += 1

    def reply(self, item: Outgoing) -> bool:
        """Answer a bad client message; False (nothing queued) when the client must go.

        Answers pile up here only while the connection holds all it may (the client
        does not read) or the viewer is paused.
        """
        self._bad += 1
        if self._bad > self._bad_in_a_row:
            return False
        if self._bytes[Kind.REPLY] + item.size > self._reply_limit:
            return False
        self._add(item)
        return True

    def good_message(self) -> None:
        """The client sent a valid message: its run of bad ones is over."""
        self._bad = 0

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def _add(self, item: Outgoing) -> None:
        self._queue.append(item)
        self._bytes[item.kind] += item.size

    # -- state notices ----------------------------------------------------------------

    def state(self, payload: bytes | None) -> None:
        """The source's state (waiting, deleted, an error...): only the latest matters.

        A paused viewer hears it once on resume (``resend_state``), and never the
        same state twice in a row.
        """
        self._state = payload
        if payload is not None and not self.paused and payload != self._state_sent:
            self._state_sent = payload
            self.control(Outgoing.of(payload, Kind.CONTROL))

    def resend_state(self) -> None:
        """After a resume: say the state the source is in now, if it changed meanwhile."""
        if self._state is not None and self._state != self._state_sent:
            self._state_sent = self._state
            self.control(Outgoing.of(self._state, Kind.CONTROL))
