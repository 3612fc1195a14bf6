"""The chain of open files for one path: real files and renames, no event loop."""

from __future__ import annotations

from pathlib import Path

from tailgate.files.chain import HandleChain
from tailgate.files.handle import FileHandle
from tailgate.files.roots import FileRoots


def _open(path: Path) -> FileHandle:
    return FileHandle.open(str(path), FileRoots().for_log(str(path)))


def _chain(path: Path) -> HandleChain:
    return HandleChain(str(path), FileRoots().for_log(str(path)))


def test_a_renamed_file_stays_unfinished_while_the_new_one_is_empty(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("a\n")
    chain = _chain(log)
    first = _open(log)
    chain.hold(first.acquire(), appeared=False)
    log.rename(tmp_path / "app.log.1")
    log.touch()
    chain.link(_open(log), "rotated")
    assert not chain.finish_ready(first)
    assert not first.finished
    # The writer has not reopened: its lines still go to the renamed file.
    with (tmp_path / "app.log.1").open("a") as writer:
        writer.write("b\n")
    assert not chain.finish_ready(first)
    first.release()
    chain.close()


def test_a_file_is_finished_at_its_size_once_the_next_file_has_data(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("a\nb\n")
    chain = _chain(log)
    first = _open(log)
    chain.hold(first.acquire(), appeared=False)
    log.rename(tmp_path / "app.log.1")
    log.write_text("c\n")
    chain.link(_open(log), "rotated")
    assert chain.finish_ready(first)
    assert (first.finished, first.end, first.next_event) == (True, 4, "rotated")
    assert first.limit(100) == 4
    assert first.next is chain.newest
    first.release()
    chain.close()


def test_a_file_renamed_away_before_it_was_opened_goes_back_between_its_neighbours(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    log.write_text("h\n")
    chain = _chain(log)
    first = _open(log)
    chain.hold(first.acquire(), appeared=False)
    log.rename(tmp_path / "app.log.1")
    log.write_text("s\n")
    (tmp_path / "app.log.1").rename(tmp_path / "app.log.2")
    log.rename(tmp_path / "app.log.1")
    log.write_text("t\n")
    # Two directory events gave the name a new file; one file was opened.
    chain.name_events = 2
    chain.link(_open(log), "rotated")
    assert chain.finish_ready(first)
    files = HandleChain.members(first)
    assert [f.read(0, 10) for f in files] == [b"h\n", b"s\n", b"t\n"]
    assert [f.finished for f in files] == [True, True, False]
    first.release()
    chain.close()


def test_lines_written_to_a_finished_file_are_counted_once(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("a\n")
    chain = _chain(log)
    first = _open(log)
    chain.hold(first.acquire(), appeared=False)
    with log.open("a") as straggler:
        log.rename(tmp_path / "app.log.1")
        log.write_text("b\n")
        chain.link(_open(log), "rotated")
        chain.finish_ready(first)
        assert chain.watching_late
        assert chain.late_lines() == 0
        straggler.write("late-1\nlate-2\nhalf")
        straggler.flush()
        assert chain.late_lines() == 2
        assert chain.late_lines() == 0
        straggler.write(" done\n")
        straggler.flush()
        assert chain.late_lines() == 1
    assert first.late_lines == 3
    first.release()
    chain.close()


def test_every_file_of_the_chain_closes_when_the_last_reader_lets_go(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("a\n")
    chain = _chain(log)
    first = _open(log)
    chain.hold(first.acquire(), appeared=False)
    log.rename(tmp_path / "app.log.1")
    log.write_text("b\n")
    second = _open(log)
    chain.link(second.acquire(), "rotated")
    chain.finish_ready(first)
    chain.close()
    first.release()
    assert (first.fd, second.refs) == (-1, 1)
    second.release()
    assert second.fd == -1


def test_copies_are_not_taken_for_missed_files_when_every_new_name_met_its_file(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    log.write_text("h\n")
    (tmp_path / "app.log.3").write_text("an older copy, closed long ago\n")
    chain = _chain(log)
    first = _open(log)
    chain.hold(first.acquire(), appeared=False)
    log.rename(tmp_path / "app.log.1")
    log.write_text("t\n")
    chain.name_events = 1
    chain.link(_open(log), "rotated")
    assert chain.finish_ready(first)
    assert [f.read(0, 10) for f in HandleChain.members(first)] == [b"h\n", b"t\n"]
    first.release()
    chain.close()


def _two_rotations_at_once(tmp_path: Path) -> None:
    """``app.log`` (held) goes to ``.2`` through ``.1``; ``s`` had the name between."""
    log = tmp_path / "app.log"
    log.rename(tmp_path / "app.log.1")
    log.write_text("s\n")
    (tmp_path / "app.log.1").rename(tmp_path / "app.log.2")
    log.rename(tmp_path / "app.log.1")
    log.write_text("t\n")


def test_a_file_linked_while_names_go_uncounted_sends_the_chain_to_the_copies(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    log.write_text("h\n")
    chain = _chain(log)
    first = _open(log)
    chain.hold(first.acquire(), appeared=False)
    # Polling: no directory event counts the names given between two looks.
    chain.count_names(False)
    _two_rotations_at_once(tmp_path)
    chain.link(_open(log), "rotated")
    assert chain.finish_ready(first)
    files = HandleChain.members(first)
    assert [f.read(0, 10) for f in files] == [b"h\n", b"s\n", b"t\n"]
    first.release()
    chain.close()


def test_counting_names_starts_afresh_when_the_folder_is_watched_again(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("p\n")
    chain = _chain(log)
    first = _open(log)
    chain.hold(first.acquire(), appeared=False)
    chain.count_names(False)
    for text in ("q\n", "h\n"):
        log.unlink()
        log.write_text(text)
        chain.link(_open(log), "created")
    assert chain.finish_ready(first)
    held = chain.newest
    assert held is not None
    # Watched again: the files linked while polling do not hide one missed now.
    chain.count_names(True)
    _two_rotations_at_once(tmp_path)
    chain.name_events = 2
    chain.link(_open(log), "rotated")
    assert chain.finish_ready(first)
    files = HandleChain.members(first)
    assert [f.read(0, 10) for f in files] == [b"p\n", b"q\n", b"h\n", b"s\n", b"t\n"]
    first.release()
    chain.close()


def test_files_missed_behind_each_of_several_uncounted_links_all_go_back(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("a\n")
    chain = _chain(log)
    first = _open(log)
    chain.hold(first.acquire(), appeared=False)
    chain.count_names(False)
    # One look: "b" missed before "c"; the next look: "d" missed before "e".
    for missed, found, copy in (("b\n", "c\n", 1), ("d\n", "e\n", 3)):
        log.rename(tmp_path / f"app.log.{copy}")
        log.write_text(missed)
        log.rename(tmp_path / f"app.log.{copy + 1}")
        log.write_text(found)
        chain.link(_open(log), "rotated")
    # Both are finished at once, under load: each searches the copies before it.
    assert chain.finish_ready(first)
    files = HandleChain.members(first)
    assert [f.read(0, 10) for f in files] == [b"a\n", b"b\n", b"c\n", b"d\n", b"e\n"]
    first.release()
    chain.close()
