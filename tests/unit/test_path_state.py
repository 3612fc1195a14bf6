"""What a look at a log's path means, from a table: no files, no event loop."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass

import pytest

from tailgate.files.follow_state import State
from tailgate.files.path_state import (
    Action,
    FirstFile,
    Held,
    first_file,
    late_bytes,
    lost_to_truncation,
    missed_files,
    on_path,
    settled,
    switch_event,
    truncated,
    writer_moved_on,
)


@dataclass(frozen=True)
class Stat:
    st_dev: int
    st_ino: int
    st_mode: int = stat.S_IFREG | 0o644


RENAMED = Held(dev=1, ino=10, linked=True)
DELETED = Held(dev=1, ino=10, linked=False)
GONE = FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT))
DENIED = PermissionError(errno.EACCES, os.strerror(errno.EACCES))


@pytest.mark.parametrize(
    ("held", "seen", "action"),
    [
        (None, GONE, Action.WAIT),
        (None, DENIED, Action.ERROR),
        (None, Stat(1, 10), Action.OPEN_FIRST),
        (None, Stat(1, 10, stat.S_IFDIR | 0o755), Action.NOT_A_FILE),
        (None, Stat(1, 10, stat.S_IFIFO | 0o644), Action.NOT_A_FILE),
        (RENAMED, Stat(1, 10), Action.SAME),
        (RENAMED, Stat(1, 11), Action.OPEN_NEXT),
        (RENAMED, Stat(2, 10), Action.OPEN_NEXT),
        (RENAMED, GONE, Action.ROTATING),
        (DELETED, GONE, Action.DELETED),
        (DELETED, Stat(1, 11), Action.OPEN_NEXT),
        (RENAMED, DENIED, Action.ERROR),
        (RENAMED, Stat(1, 11, stat.S_IFLNK | 0o777), Action.NOT_A_FILE),
    ],
)
def test_a_look_at_the_path_gives_the_action_the_table_says(
    held: Held | None, seen: Stat | OSError, action: Action
) -> None:
    assert on_path(held, seen) is action


@pytest.mark.parametrize(
    ("old_linked", "renamed", "event"),
    [
        (True, True, "rotated"),
        (True, False, "rotated"),
        (False, True, "rotated"),
        (False, False, "created"),
    ],
)
def test_a_new_file_is_rotated_when_the_old_one_was_renamed_and_created_when_it_was_deleted(
    old_linked: bool, renamed: bool, event: str
) -> None:
    assert switch_event(old_linked=old_linked, renamed=renamed) == event


@pytest.mark.parametrize(("old_linked", "renamed"), [(True, True), (True, False), (False, False)])
def test_a_new_file_after_viewers_heard_deleted_is_always_created(
    old_linked: bool, renamed: bool
) -> None:
    assert switch_event(old_linked=old_linked, renamed=renamed, was_deleted=True) == "created"


@pytest.mark.parametrize(
    ("action", "state", "enter"),
    [
        (Action.SAME, State.OK, None),
        (Action.SAME, State.WAITING, State.OK),
        (Action.SAME, State.DELETED, State.OK),
        (Action.SAME, State.ERROR, State.OK),
        (Action.WAIT, State.OK, State.WAITING),
        (Action.WAIT, State.WAITING, None),
        (Action.WAIT, State.ERROR, State.WAITING),
        (Action.DELETED, State.OK, State.DELETED),
        (Action.DELETED, State.DELETED, None),
        (Action.ROTATING, State.OK, None),
        (Action.ROTATING, State.DELETED, None),
        (Action.OPEN_FIRST, State.WAITING, None),
        (Action.OPEN_NEXT, State.DELETED, None),
        (Action.ERROR, State.OK, None),
        (Action.NOT_A_FILE, State.OK, None),
    ],
)
def test_a_look_settles_the_state_the_table_says_and_never_repeats_it(
    action: Action, state: State, enter: State | None
) -> None:
    assert settled(action, state) is enter


@pytest.mark.parametrize(
    ("was", "initial", "first"),
    [
        (State.OK, True, FirstFile(at_end=True, event=None)),
        (State.WAITING, False, FirstFile(at_end=False, event="appeared")),
        (State.ERROR, False, FirstFile(at_end=True, event="available")),
        (State.ERROR, True, FirstFile(at_end=True, event="available")),
        (State.DELETED, False, FirstFile(at_end=False, event=None)),
    ],
)
def test_a_first_file_that_appeared_is_read_from_its_start_and_one_there_all_along_from_its_end(
    was: State, initial: bool, first: FirstFile
) -> None:
    assert first_file(was, initial=initial) == first


@pytest.mark.parametrize(
    ("later", "moved_on"),
    [([], False), ([0], False), ([0, 0], False), ([5], True), ([0, 7], True), ([3, 0], True)],
)
def test_a_file_is_finished_once_any_later_file_has_data(later: list[int], moved_on: bool) -> None:
    assert writer_moved_on(later) is moved_on


@pytest.mark.parametrize(
    ("size", "offset", "matches", "expected"),
    [
        (100, 100, True, False),
        (150, 100, True, False),
        (0, 0, True, False),
        (99, 100, True, True),
        (0, 100, True, True),
        (150, 100, False, True),
        (10, 0, False, False),
    ],
)
def test_a_file_is_truncated_when_it_shrank_below_the_offset_or_changed_before_it(
    size: int, offset: int, matches: bool, expected: bool
) -> None:
    assert truncated(size, offset, tail_matches=matches) is expected


@pytest.mark.parametrize(
    ("creates", "opened", "missed"), [(0, 0, False), (1, 1, False), (1, 2, False), (2, 1, True)]
)
def test_files_were_missed_when_the_name_was_given_more_often_than_files_were_opened(
    creates: int, opened: int, missed: bool
) -> None:
    assert missed_files(creates, opened) is missed


@pytest.mark.parametrize(
    ("end", "size", "late"), [(None, 500, 0), (100, 100, 0), (100, 90, 0), (100, 130, 30)]
)
def test_late_bytes_are_those_past_the_end_every_reader_stops_at(
    end: int | None, size: int, late: int
) -> None:
    assert late_bytes(end, size) == late


@pytest.mark.parametrize(
    ("offset", "copy_size", "lost"), [(100, None, 0), (100, 100, 0), (100, 160, 60), (100, 40, 0)]
)
def test_a_copytruncate_lost_what_its_copy_holds_past_the_offset_read(
    offset: int, copy_size: int | None, lost: int
) -> None:
    assert lost_to_truncation(offset, copy_size) == lost
