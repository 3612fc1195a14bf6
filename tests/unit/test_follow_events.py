"""What an inotify event tells a follower, from a table: no watches, no event loop."""

from __future__ import annotations

import pytest

from tailgate.files.inotify import (
    IN_ATTRIB,
    IN_CLOSE_WRITE,
    IN_CREATE,
    IN_DELETE,
    IN_DELETE_SELF,
    IN_IGNORED,
    IN_MODIFY,
    IN_MOVE_SELF,
    IN_MOVED_FROM,
    IN_MOVED_TO,
    IN_Q_OVERFLOW,
)
from tailgate.files.wakeups import DirNews, dir_news, file_news

LOOK = DirNews(look=True)


@pytest.mark.parametrize(
    ("mask", "name", "watching_late", "reading_newest", "news"),
    [
        # The kernel dropped events, or the folder went: look, whatever the name.
        (IN_Q_OVERFLOW, None, False, True, DirNews(look=True, overflowed=True)),
        (IN_IGNORED, None, False, True, DirNews(look=True, dir_gone=True)),
        (IN_MODIFY, None, False, True, LOOK),
        # Another name: only a write to a finished file under its rotated name counts.
        (IN_MODIFY, "app.log.1", False, True, None),
        (IN_MODIFY, "app.log.1", True, True, DirNews(late=True)),
        (IN_CREATE, "other.log", True, False, DirNews(late=True)),
        # The name itself changed hands.
        (IN_CREATE, "app.log", False, True, DirNews(look=True, new_name=True)),
        (IN_MOVED_TO, "app.log", False, True, DirNews(look=True, new_name=True)),
        (IN_MOVED_FROM, "app.log", False, True, DirNews(look=True, renamed=True)),
        (IN_DELETE, "app.log", False, True, LOOK),
        (IN_ATTRIB, "app.log", False, True, LOOK),
        # A write under the name: the file read reports it itself; a newer one is news.
        (IN_MODIFY, "app.log", False, True, None),
        (IN_CLOSE_WRITE, "app.log", False, True, None),
        (IN_MODIFY, "app.log", False, False, LOOK),
    ],
)
def test_a_folder_event_tells_the_follower_what_the_table_says(
    mask: int, name: str | None, watching_late: bool, reading_newest: bool, news: DirNews | None
) -> None:
    assert (
        dir_news(
            mask, name, own="app.log", watching_late=watching_late, reading_newest=reading_newest
        )
        == news
    )


@pytest.mark.parametrize(
    ("mask", "look"),
    [
        (IN_MODIFY, False),
        (IN_MOVE_SELF, True),
        (IN_DELETE_SELF, True),
        (IN_ATTRIB, True),
        (IN_IGNORED, True),
        (IN_Q_OVERFLOW, True),
    ],
)
def test_an_event_on_the_open_file_asks_for_a_look_only_when_its_name_may_have_changed(
    mask: int, look: bool
) -> None:
    assert file_news(mask) is look
