"""``tailgate tail`` against a server without sign-in (``--auth none``, as ``make demo``)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.processes import TAILGATE, clean_env, free_ports
from tests.support.tails import wait_for

from .conftest import Serve, Terminal, audit, stop


def write(path: Path, *lines: str) -> None:
    with path.open("a") as out:
        out.write("".join(line + "\n" for line in lines))


async def test_several_logs_merge_into_one_stream_each_line_prefixed_with_its_log(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    app, worker = tmp_path / "app.log", tmp_path / "worker.log"
    app.write_text("app 1\n")
    worker.write_text("worker 1\n")
    async with serve_open({"app": app, "worker": worker}) as server:
        tail = terminal.start("tail", "app", "worker", "--server", server.base_url)
        await tail.wait_stdout(lambda lines: len(lines) == 2)
        write(app, "app 2")
        await tail.wait_stdout(lambda lines: len(lines) == 3)
        write(worker, "worker 2")
        lines = await tail.wait_stdout(lambda lines: len(lines) == 4)
        tail.interrupt()
        assert await tail.wait_exit() == 130
    assert sorted(lines[:2]) == ["app app 1", "worker worker 1"]
    assert lines[2:] == ["app app 2", "worker worker 2"]
    # Nothing but lines on stdout; Ctrl-C closed both tails as a client closes them.
    ended = audit(server, "tail_ended")
    assert sorted(r["log_id"] for r in ended) == ["app", "worker"]
    assert {r["close_code"] for r in ended} == {1000}
    assert {r["via"] for r in ended} == {"none"}


async def test_grep_shows_matching_lines_and_invert_the_others(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    app = tmp_path / "app.log"
    app.write_text("GET /health 200\nPOST /pay 500\nGET / 200\nERROR db down\n")
    async with serve_open({"app": app}) as server:
        grep = terminal.start(
            "tail", "app", "--grep", r"^(GET|POST) /\w+ ", "--server", server.base_url
        )
        invert = terminal.start(
            "tail", "app", "--grep", "GET", "--invert", "--server", server.base_url
        )
        levels = terminal.start(
            "tail", "app", "--levels", "error", "--json", "--server", server.base_url
        )
        write(app, "GET /pay 200", "done")
        assert await grep.wait_stdout(lambda lines: len(lines) == 3) == [
            "app GET /health 200",
            "app POST /pay 500",
            "app GET /pay 200",
        ]
        assert await invert.wait_stdout(lambda lines: len(lines) == 3) == [
            "app POST /pay 500",
            "app ERROR db down",
            "app done",
        ]
        (record,) = await levels.wait_stdout(lambda lines: len(lines) == 1)
        assert json.loads(record) == {
            "log": "app",
            "source": None,
            "timestamp": None,
            "line": "ERROR db down",
        }
        for process in (grep, invert, levels):
            process.interrupt()
            assert await process.wait_exit() == 130
    # Filtered at the server: the tails' records say what each filter asked for.
    asked = [r["filter"] for r in audit(server, "tail_started") if r.get("filter")]
    assert sorted(asked, key=json.dumps) == sorted(
        [
            {"filter": r"^(GET|POST) /\w+ ", "regex": True, "case": True, "invert": False},
            {"filter": "GET", "regex": True, "case": True, "invert": True},
            {"levels": ["error"]},
        ],
        key=json.dumps,
    )


async def test_a_tail_resumes_after_a_server_restart_without_gap_or_duplicate(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    app = tmp_path / "app.log"
    written = [f"line {n}" for n in range(1, 4)]
    app.write_text("".join(line + "\n" for line in written))
    (port,) = free_ports(1)
    async with serve_open({"app": app}, port=port, name="first") as first:
        tail = terminal.start("tail", "app", "--server", first.base_url)
        await tail.wait_stdout(lambda lines: len(lines) == 3)
        written += ["line 4", "line 5"]
        write(app, *written[-2:])
        await tail.wait_stdout(lambda lines: len(lines) == 5)
        await stop(first)
    await tail.wait_stderr("reconnecting")
    # Written while no server runs: the cursor of the last line printed finds them.
    more = [f"line {n}" for n in range(6, 40)]
    written += more
    write(app, *more)
    async with serve_open({"app": app}, port=port, name="second"):
        await tail.wait_stderr("reconnected")
        written += ["line 40"]
        write(app, "line 40")
        lines = await tail.wait_stdout(lambda lines: len(lines) >= len(written))
        tail.interrupt()
        assert await tail.wait_exit() == 130
    assert lines == [f"app {line}" for line in written]
    assert "gap" not in tail.stderr()


async def test_each_ending_has_its_exit_code(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    app = tmp_path / "app.log"
    app.write_text("one\n")
    async with serve_open({"app": app}) as server:
        unknown = await terminal.run("tail", "app", "nope", "--server", server.base_url)
        assert unknown.proc.returncode == 6
        assert "nope: there is no log with ID 'nope'" in unknown.stderr()
        bad_level = await terminal.run(
            "tail", "app", "--levels", "loud", "--server", server.base_url
        )
        assert bad_level.proc.returncode == 2
        assert "unknown level 'loud'" in bad_level.stderr()
        bad_grep = await terminal.run("tail", "app", "--grep", "(", "--server", server.base_url)
        assert bad_grep.proc.returncode == 2
        # The server judges the pattern (RE2): a backreference cannot run in linear time.
        assert "bad regex" in bad_grep.stderr()
        backreference = await terminal.run(
            "tail", "app", "--grep", r"(a)\1", "--server", server.base_url
        )
        assert backreference.proc.returncode == 2
        assert "bad regex" in backreference.stderr()
    (closed,) = free_ports(1)
    unreachable = await terminal.run("tail", "app", "--server", f"http://127.0.0.1:{closed}")
    assert unreachable.proc.returncode == 3
    assert (
        "cannot be reached" in unreachable.stderr() or "Connect call failed" in unreachable.stderr()
    )
    no_server = await terminal.run("tail", "app")
    assert no_server.proc.returncode == 2
    assert "which server?" in no_server.stderr()
    plain_http = await terminal.run("logs", "--server", "http://logs.example.com")
    assert plain_http.proc.returncode == 2
    assert "use https" in plain_http.stderr()
    for process in (unknown, bad_level, bad_grep, unreachable, no_server, plain_http):
        assert "Traceback" not in process.stderr()


async def test_logs_lists_what_the_server_offers_and_the_server_comes_from_the_environment(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    app = tmp_path / "app.log"
    app.write_text("")
    async with serve_open({"app": app, "other": tmp_path / "other.log"}) as server:
        table = await terminal.run("logs", env={"TAILGATE_SERVER": server.base_url})
        listed = await terminal.run("logs", "--json", "--server", server.base_url)
    assert table.proc.returncode == listed.proc.returncode == 0
    assert table.stdout().splitlines() == [
        "ID     KIND  TITLE",
        "app    file  app",
        "other  file  other",
    ]
    assert json.loads(listed.stdout()) == {
        "logs": [
            {"id": "app", "title": "app", "kind": "file"},
            {"id": "other", "title": "other", "kind": "file"},
        ]
    }


async def test_a_server_without_sign_in_needs_no_login_and_becomes_the_default(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    app = tmp_path / "app.log"
    app.write_text("hello\n")
    async with serve_open({"app": app}) as server:
        async with server.session.get(f"{server.base_url}/api/client-config") as response:
            config = await response.json()
        login = await terminal.run("login", "--server", server.base_url)
        tail = terminal.start("tail", "app", "--backlog", "1")
        assert await tail.wait_stdout(lambda lines: len(lines) == 1) == ["app hello"]
        tail.interrupt()
        assert await tail.wait_exit() == 130
    assert config == {"auth": "none"}
    assert login.proc.returncode == 0
    assert "needs no sign-in" in login.stderr()
    assert terminal.credentials_files() == []


async def test_a_reader_that_goes_away_ends_the_tail_quietly(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    app = tmp_path / "app.log"
    app.write_text("first\n")
    async with serve_open({"app": app}) as server:
        # As `tailgate tail app | head -1`: the reader closes the pipe after one line.
        reader = subprocess.Popen(
            [TAILGATE, "tail", "app", "--server", server.base_url],
            env=clean_env(terminal.env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert reader.stdout is not None and reader.stderr is not None
        assert reader.stdout.readline() == b"app first\n"
        reader.stdout.close()
        write(app, *(f"more {n}" for n in range(100)))
        await wait_for(lambda: reader.poll() is not None, timeout=15, interval=0.01)
        errors = reader.stderr.read().decode()
        reader.stderr.close()
    assert reader.returncode == 0
    assert errors == ""


async def test_a_log_removed_from_the_catalog_ends_its_tail_with_exit_7(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    app, other = tmp_path / "app.log", tmp_path / "other.log"
    app.write_text("one\n")
    other.write_text("")
    async with serve_open({"app": app, "other": other}, name="catalog") as server:
        tail = terminal.start("tail", "app", "other", "--server", server.base_url)
        await tail.wait_stdout(lambda lines: len(lines) == 1)
        catalog_path = tmp_path / "catalog" / "catalog.yaml"
        catalog_path.write_text(f"logs:\n  - id: other\n    file: {other}\n")
        assert await tail.wait_exit() == 7
    assert "app: the log was removed or changed in the catalog" in tail.stderr()


async def test_a_tail_over_the_servers_cap_ends_with_exit_8(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    app, other = tmp_path / "app.log", tmp_path / "other.log"
    app.write_text("one\n")
    other.write_text("two\n")
    async with serve_open(
        {"app": app, "other": other}, flags=("--max-tails-per-client", "1")
    ) as server:
        first = terminal.start("tail", "app", "--server", server.base_url)
        await first.wait_stdout(lambda lines: len(lines) == 1)
        second = await terminal.run("tail", "other", "--server", server.base_url)
        first.interrupt()
        assert await first.wait_exit() == 130
    assert second.proc.returncode == 8
    assert second.stdout() == ""


async def test_a_gap_the_server_could_not_avoid_is_said_on_stderr(
    tmp_path: Path, terminal: Terminal, serve_open: Serve
) -> None:
    app = tmp_path / "app.log"
    app.write_text("old 1\nold 2\n")
    (port,) = free_ports(1)
    async with serve_open({"app": app}, port=port, name="first") as first:
        tail = terminal.start("tail", "app", "--server", first.base_url)
        await tail.wait_stdout(lambda lines: len(lines) == 2)
        await stop(first)
    # While no server runs, the file is replaced: the cursor's file is gone.
    replacement = tmp_path / "app.log.new"
    replacement.write_text("new 1\n")
    replacement.rename(app)
    async with serve_open({"app": app}, port=port, name="second"):
        await tail.wait_stderr("gap: ")
        lines = await tail.wait_stdout(lambda lines: len(lines) == 3)
        tail.interrupt()
        assert await tail.wait_exit() == 130
    assert lines == ["app old 1", "app old 2", "app new 1"]
