"""Reading the catalog file: a regular file only, bounded, never blocking on the path."""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tailgate.catalog.file_reading import MAX_CATALOG_BYTES, CatalogUnreadable, read_catalog_file

#: How often a reader blocked on a FIFO is released. A working reader never blocks,
#: and a rescue changes nothing for it (it opens non-blocking and refuses a FIFO).
RESCUE_AFTER = 0.5


@contextmanager
def fifo_at(path: Path, moved_to: Path | None = None) -> Iterator[Path]:
    """A FIFO at ``path`` (or where the test moves it); a blocked reader is released.

    A reader that opens a FIFO blocking waits for a writer forever; the rescue opens
    and closes it for writing (O_RDWR never blocks on Linux) every ``RESCUE_AFTER``
    seconds until the block ends, so that a defect fails the test instead of hanging
    the run.
    """
    os.mkfifo(path)
    done = threading.Event()

    def rescue() -> None:
        while not done.wait(RESCUE_AFTER):
            for place in (path, moved_to):
                with contextlib.suppress(OSError):  # not there, or not a FIFO any more
                    if place is not None and stat.S_ISFIFO(os.stat(place).st_mode):
                        os.close(os.open(place, os.O_RDWR | os.O_NONBLOCK))

    thread = threading.Thread(target=rescue, daemon=True)
    thread.start()
    try:
        yield path
    finally:
        done.set()
        thread.join()


def test_a_regular_file_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text("logs: {a: /a}\n")
    assert read_catalog_file(str(path)) == "logs: {a: /a}\n"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    with fifo_at(tmp_path / "catalog.yaml") as fifo, pytest.raises(CatalogUnreadable) as info:
        read_catalog_file(str(fifo))
    assert str(info.value) == f"not a regular file (a FIFO): {str(fifo)!r}"


@pytest.mark.parametrize(
    ("path", "kind"), [("/dev/null", "a character device"), ("/", "a directory")]
)
def test_anything_else_but_a_regular_file_is_refused(path: str, kind: str) -> None:
    with pytest.raises(CatalogUnreadable, match=f"not a regular file \\({kind}\\)"):
        read_catalog_file(path)


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    # What a mounted ConfigMap looks like: catalog.yaml -> ..data/catalog.yaml.
    (tmp_path / "real.yaml").write_text("logs: []\n")
    (tmp_path / "catalog.yaml").symlink_to("real.yaml")
    assert read_catalog_file(str(tmp_path / "catalog.yaml")) == "logs: []\n"


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    with path.open("wb") as f:
        f.write(b"logs: []\n")
        # Sparse: a file of gigabytes costs no disk, only whoever reads it whole.
        f.truncate(4 * 1024**3)
    with pytest.raises(CatalogUnreadable, match="larger than 8 MiB"):
        read_catalog_file(str(path))


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_bytes(b"#" * MAX_CATALOG_BYTES)
    assert len(read_catalog_file(str(path))) == MAX_CATALOG_BYTES


def test_text_that_is_not_utf8_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_bytes(b"logs:\n  - id: a\n    file: /var/log/\xff.log\n")
    with pytest.raises(CatalogUnreadable, match=r"not UTF-8 text \(byte 0xff on line 3\)"):
        read_catalog_file(str(path))


def test_a_missing_file_is_an_ordinary_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_catalog_file(str(tmp_path / "missing.yaml"))
