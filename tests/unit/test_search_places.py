"""History positions: tail cursors in plain files, z1 tokens in compressed ones, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tailgate.files.cursor import FileCursor
from tailgate.history.errors import BadPosition
from tailgate.history.places import Place

PROPERTIES = settings(max_examples=150, deadline=None)
NUMBERS = st.integers(min_value=0, max_value=10**20 - 1)


@PROPERTIES
@given(NUMBERS, NUMBERS, NUMBERS, st.integers(0, 0xFFFFFFFF), st.booleans())
def test_a_place_round_trips(dev: int, ino: int, offset: int, check: int, compressed: bool) -> None:
    place = Place(dev, ino, offset, check, compressed)
    assert Place.decode(place.encode()) == place


def test_a_plain_place_is_a_tail_cursor() -> None:
    place = Place.at(5, 7, 100, b"line\n", compressed=False)
    assert FileCursor.decode(place.encode()) == FileCursor(5, 7, 100, place.check)
    assert Place.at(5, 7, 100, b"x", compressed=True).encode().startswith("z1.")


@PROPERTIES
@given(st.text(max_size=120))
def test_any_text_is_a_place_or_bad_position(text: str) -> None:
    try:
        Place.decode(text)
    except BadPosition as exc:
        assert exc.status == 400
        assert exc.code == "bad_cursor"


@pytest.mark.parametrize(
    "token",
    ["", "f1.1.2.3", "z1.1.2.3.zzzzzzzz", "f2.1.2.3.00000000", "z1." + "9" * 21 + ".1.1.00000000"],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(BadPosition):
        Place.decode(token)
