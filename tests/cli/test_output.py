"""How the terminal client writes lines: prefixes, colours, JSON, and escapes defused."""

from __future__ import annotations

import io
import json

from tailgate.client.output import Printer, clean, colour_of


def printed(printer: Printer) -> str:
    assert isinstance(printer.out, io.StringIO)
    return printer.out.getvalue()


def printer(**flags: bool) -> Printer:
    return Printer(io.StringIO(), io.StringIO(), **flags)


def test_file_lines_carry_the_log_id_and_pod_lines_their_source_too() -> None:
    out = printer()
    out.lines("app", ["one", "two"])
    out.lines("api", ["GET /"], source="api-7d9f/web", timestamps=["2024-01-01T00:00:01Z"])
    assert printed(out) == "app one\napp two\napi api-7d9f/web GET /\n"


def test_timestamps_are_shown_where_the_kubelet_gave_one() -> None:
    out = printer(timestamps=True)
    out.lines("api", ["a", "b"], source="p/c", timestamps=["2024-01-01T00:00:01Z", None])
    assert printed(out) == "api p/c 2024-01-01T00:00:01Z a\napi p/c b\n"


def test_colours_are_stable_per_name_and_only_when_asked() -> None:
    out = printer(colour=True)
    out.lines("app", ["x"])
    assert printed(out) == f"\x1b[{colour_of('app')}mapp\x1b[0m x\n"
    assert colour_of("app") == colour_of("app")


def test_json_lines_hold_everything_a_script_needs() -> None:
    out = printer(json_lines=True)
    out.lines("api", ["é \x1b[2J"], source="p/c", timestamps=["t"])
    assert json.loads(printed(out)) == {
        "log": "api",
        "source": "p/c",
        "timestamp": "t",
        "line": "é \x1b[2J",
    }


def test_control_characters_of_a_line_cannot_drive_the_terminal() -> None:
    assert clean("ok\tfine") == "ok\tfine"
    assert clean("\x1b]0;owned\x07red\x1b[31m") == "\\x1b]0;owned\\x07red\\x1b[31m"
    out = printer()
    out.notice("app", "rotated: \x1b[2J")
    assert isinstance(out.err, io.StringIO)
    assert out.err.getvalue() == "tailgate: app: rotated: \\x1b[2J\n"


def test_a_frame_of_several_pods_prefixes_each_line_with_its_own() -> None:
    out = printer()
    out.lines("api", ["a", "b", "c"], sources=["p-1/c", "p-22/c", "p-1/c"])
    assert printed(out) == "api p-1/c a\napi p-22/c b\napi p-1/c c\n"
    as_json = printer(json_lines=True)
    as_json.lines("api", ["a", "b"], sources=["p-1/c", None], timestamps=["t", None])
    assert [json.loads(line)["source"] for line in printed(as_json).splitlines()] == [
        "p-1/c",
        None,
    ]
