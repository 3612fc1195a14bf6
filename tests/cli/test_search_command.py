"""``tailgate search`` against a server without sign-in: a log's history, newest first."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Serve, Terminal


async def test_search_prints_matches_newest_first_and_how_to_go_further_back(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    app = tmp_path / "app.log"
    app.write_text("".join(f"{'ERROR' if n % 3 == 0 else 'INFO'} line {n}\n" for n in range(10)))
    async with serve_open({"app": app}) as server:
        found = await terminal.run("search", "app", "error", "--server", server.base_url)
        assert found.proc.returncode == 0, found.stderr()
        assert found.lines() == ["ERROR line 9", "ERROR line 6", "ERROR line 3", "ERROR line 0"]
        assert found.stderr() == ""
        # One page, then the rest from where it stopped, nothing twice.
        page = await terminal.run("search", "app", "ERROR", "--case", "--limit", "2",
                                  "--server", server.base_url)  # fmt: skip
        assert page.lines() == ["ERROR line 9", "ERROR line 6"]
        token = page.stderr().split("--before ", 1)[1].split()[0]
        rest = await terminal.run("search", "app", "ERROR", "--case", "--before", token,
                                  "--server", server.base_url)  # fmt: skip
        assert rest.lines() == ["ERROR line 3", "ERROR line 0"]
        exact = await terminal.run("search", "app", "error", "--case", "--server", server.base_url)
        assert exact.lines() == []


async def test_search_json_gives_each_match_with_its_cursor_and_a_bad_regex_says_why(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    app = tmp_path / "app.log"
    app.write_text("GET /a 200\nGET /b 500\n\x1b[2Jboom 500\n")
    async with serve_open({"app": app}) as server:
        found = await terminal.run(
            "search", "app", r" 5\d\d$", "--regex", "--json", "--server", server.base_url
        )
        matches = [json.loads(line) for line in found.lines()]
        assert [m["line"] for m in matches] == ["\x1b[2Jboom 500", "GET /b 500"]
        assert all(m["cursor"].startswith("f1.") for m in matches)
        plain = await terminal.run("search", "app", "boom", "--server", server.base_url)
        assert plain.lines() == ["\\x1b[2Jboom 500"]  # never an escape to the terminal
        bad = await terminal.run("search", "app", "(", "--regex", "--server", server.base_url)
        assert bad.proc.returncode == 1 and "bad regex" in bad.stderr()
        unknown = await terminal.run("search", "nope", "x", "--server", server.base_url)
        assert unknown.proc.returncode == 6
