"""Pure checks behind file confinement: rotation names, forbidden places, root membership."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tailgate.errors import FileRefused
from tailgate.files.cursor import BadCursor, FileCursor
from tailgate.files.roots import FileRoots, forbidden
from tailgate.files.rotated_names import is_rotated_copy


@pytest.mark.parametrize(
    ("entry", "rotated"),
    [
        ("app.log.1", True),
        ("app.log.12", True),
        ("app.log-20261201", True),
        ("app.log-2026120113", True),
        ("app.log-20261201-1764590000", True),
        ("app.log.20261201-210405", True),
        ("app.log.2026-12-01", True),
        ("app.log.2026-12-01_21", True),
        ("app.log.2026-12-01_21-04", True),
        ("app.log.2026-12-01_21-04-05", True),
        ("app.log", False),
        ("app.log.", False),
        ("app.log.1.gz", False),
        ("app.log-20261201.gz", False),
        ("app.log-audit", False),
        ("app.log.bak", False),
        ("app.logger", False),
        ("app.log_1", False),
        ("app.log.1x", False),
        ("app.log.2026-12-01_21-04-05-06", False),
        ("other.log.1", False),
        ("app.log.\u0661", False),
    ],
)
def test_only_names_rotation_tools_give_count_as_rotated_copies(entry: str, rotated: bool) -> None:
    assert is_rotated_copy(entry, "app.log") is rotated


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ("/proc", True),
        ("/proc/self/environ", True),
        ("/sys/class", True),
        ("/dev/zero", True),
        ("/run/secrets/x", True),
        ("/var/run/secrets/kubernetes.io/serviceaccount/token", True),
        ("/mnt/a/serviceaccount/token", True),
        ("/var/log/app.log", False),
        ("/procfs/app.log", False),
        ("/var/log/devices.log", False),
    ],
)
def test_kernel_device_and_credential_places_are_never_read(path: str, refused: bool) -> None:
    assert forbidden(path) is refused


def test_without_roots_each_log_may_read_only_its_own_folder(tmp_path: Path) -> None:
    roots = FileRoots().for_log(str(tmp_path / "logs" / "app.log"))
    assert roots.contains(str(tmp_path / "logs" / "app.log.1"))
    assert not roots.contains(str(tmp_path / "logs-other" / "app.log"))
    assert not roots.contains(str(tmp_path / "app.log"))


def test_an_entry_outside_the_configured_roots_is_a_problem_naming_root(tmp_path: Path) -> None:
    roots = FileRoots.of([str(tmp_path / "logs")])
    assert roots.problem(str(tmp_path / "logs" / "a" / "app.log")) is None
    problem = roots.problem(str(tmp_path / "elsewhere" / "app.log"))
    assert problem is not None and "root" in problem
    # Dot-dot does not climb out.
    assert roots.problem(str(tmp_path / "logs" / ".." / "x.log")) is not None


def test_an_entry_whose_symlink_leaves_the_roots_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    link = tmp_path / "logs" / "app.log"
    link.symlink_to("/etc/hostname")
    assert FileRoots.of([str(tmp_path / "logs")]).problem(str(link)) is not None


def test_opening_a_fifo_or_a_folder_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "app.log"
    os.mkfifo(fifo)
    roots = FileRoots().for_log(str(fifo))
    with pytest.raises(FileRefused) as caught:
        roots.open(str(fifo))
    assert caught.value.code == "not_a_file"
    with pytest.raises(FileRefused):
        roots.open(str(tmp_path))


def test_opening_a_symlink_out_of_the_roots_is_refused_after_the_open(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "secret").write_text("s\n")
    link = tmp_path / "logs" / "app.log"
    link.symlink_to(tmp_path / "secret")
    roots = FileRoots().for_log(str(link))
    with pytest.raises(FileRefused) as caught:
        roots.open(str(link))
    assert caught.value.code == "outside_root"
    assert str(tmp_path / "secret") not in str(caught.value)
    # The refused descriptor is closed again.
    before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(FileRefused):
        roots.open(str(link))
    assert len(os.listdir("/proc/self/fd")) == before


def test_a_file_cursor_with_non_ascii_digits_is_malformed() -> None:
    with pytest.raises(BadCursor):
        FileCursor.decode("f1.\u0661.2.3.0000000a")
    assert FileCursor.decode("f1.1.2.3.0000000a").ino == 2


def test_a_root_reached_through_a_symlinked_folder_holds_its_files(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "logs").symlink_to(tmp_path / "data")
    roots = FileRoots.of([str(tmp_path / "logs")])
    assert roots.problem(str(tmp_path / "logs" / "app.log")) is None
    assert roots.problem(str(tmp_path / "data" / "app.log")) is None
    assert roots.problem(str(tmp_path / "elsewhere.log")) is not None
