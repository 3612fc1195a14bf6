"""Nothing outside the catalog's files is ever read: symlinks, forged cursors, file roots.

Whoever can write a log's folder (the application writing the log) must not be able
to make tailgate stream any other file, and a viewer must not be able to reach
another log's file with a cursor it made up.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from tailgate.files.cursor import FileCursor
from tailgate.web.context import SERVICES
from tests.support.files import (
    QUIET,
    append_lines,
    nothing_arrives,
    numbered,
    read_until,
    transcript,
)
from tests.support.processes import run_tailgate
from tests.support.tails import TailClient, running_server, wait_for

SECRET = "secret-token-value"


def secret_file(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "token"
    secret.write_text(f"{SECRET}\n{SECRET}-2\n")
    return secret


def log_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder


async def drain(tail: TailClient) -> None:
    """Read frames until the server has been quiet for a moment."""
    with contextlib.suppress(TimeoutError):
        while True:
            await tail.frame(timeout=QUIET)


def received_text(frames: list[dict[str, object]]) -> str:
    return repr(frames)


async def test_a_log_that_is_a_symlink_out_of_its_folder_sends_an_error_and_nothing_of_the_target(
    tmp_path: Path,
) -> None:
    secret = secret_file(tmp_path)
    log = log_folder(tmp_path) / "app.log"
    log.symlink_to(secret)
    async with running_server(tmp_path, {"app": log}) as server:
        tail = await server.tail("app", backlog=10)
        await tail.expect("hello")
        error = await tail.expect("error")
        assert error["code"] == "outside_root"
        assert str(log) in error["message"]
        await nothing_arrives(tail)
        assert SECRET not in received_text(tail.frames)
        assert str(secret) not in received_text(tail.frames)
        assert (
            server.metric("tailgate_source_errors_total", kind="file", reason="outside_root") >= 1
        )
        await tail.close()


async def test_a_log_replaced_by_a_symlink_while_tailed_streams_nothing_of_the_target(
    tmp_path: Path,
) -> None:
    secret = secret_file(tmp_path)
    log = log_folder(tmp_path) / "app.log"
    append_lines(log, numbered("before", 2))
    async with running_server(tmp_path, {"app": log}) as server:
        tail = await server.tail("app", backlog=5)
        await tail.expect("hello")
        await tail.read_lines(2)
        log.unlink()
        log.symlink_to(secret)
        error = await tail.expect("error")
        assert error["code"] == "outside_root"
        # More written to the target must not reach the viewer either.
        with secret.open("a") as f:
            f.write(f"{SECRET}-3\n")
        await nothing_arrives(tail)
        assert SECRET not in received_text(tail.frames)
        # A fresh viewer gets no backlog of the target (at most the old file's lines).
        other = await server.tail("app", backlog=10)
        await other.expect("hello")
        await drain(other)
        assert "<error:outside_root>" in transcript(other)
        assert SECRET not in received_text(other.frames)
        assert set(other.lines) <= set(numbered("before", 2))
        await other.close()
        await tail.close()


async def test_a_symlink_that_stays_inside_the_folder_is_followed(tmp_path: Path) -> None:
    folder = log_folder(tmp_path)
    dated = folder / "app-2026-12-01.log"
    append_lines(dated, numbered("dated", 3))
    current = folder / "current"
    current.symlink_to(dated.name)
    async with running_server(tmp_path, {"app": current}) as server:
        tail = await server.tail("app", backlog=3)
        await tail.expect("hello")
        assert await tail.read_lines(3) == numbered("dated", 3)
        append_lines(dated, ["live"])
        assert (await read_until(tail, "live"))[-1] == "live"
        await tail.close()


async def test_a_symlink_into_a_configured_root_is_followed(tmp_path: Path) -> None:
    folder = log_folder(tmp_path)
    pods = tmp_path / "pods"
    pods.mkdir()
    real = pods / "0.log"
    append_lines(real, ["kubelet line"])
    link = folder / "web.log"
    link.symlink_to(real)
    async with running_server(
        tmp_path, {"web": link}, file_roots=(str(folder), str(pods))
    ) as server:
        tail = await server.tail("web", backlog=1)
        await tail.expect("hello")
        assert await tail.read_lines(1) == ["kubelet line"]
        await tail.close()


async def test_a_forged_cursor_naming_another_logs_file_reads_nothing_of_it(
    tmp_path: Path,
) -> None:
    folder = log_folder(tmp_path)
    app = folder / "app.log"
    audit = folder / "app.log-audit"
    append_lines(app, numbered("app", 3))
    append_lines(audit, ["audit-private-1", "audit-private-2"])
    st = audit.stat()
    # The device is in any cursor the viewer got; inodes are small and guessable.
    forged = FileCursor(st.st_dev, st.st_ino, 0, 0).encode()
    async with running_server(tmp_path, {"app": app, "audit": audit}) as server:
        tail = await server.tail("app", cursor=forged)
        await tail.expect("hello")
        notice = await tail.expect("notice")
        assert notice["event"] == "gap"
        await tail.read_lines(3)
        append_lines(audit, ["audit-private-3"])
        append_lines(app, ["app-live"])
        await read_until(tail, "app-live")
        assert not any("audit" in line for line in tail.lines)
        await tail.close()


@pytest.mark.parametrize("name", ["app.log.bak", "app.logger", "app.log-audit", "app.log.1.gz"])
async def test_a_cursor_reaches_no_file_that_merely_shares_the_logs_name(
    tmp_path: Path, name: str
) -> None:
    folder = log_folder(tmp_path)
    app = folder / "app.log"
    append_lines(app, ["current"])
    other = folder / name
    append_lines(other, ["other-private"])
    st = other.stat()
    async with running_server(tmp_path, {"app": app}) as server:
        tail = await server.tail("app", cursor=FileCursor(st.st_dev, st.st_ino, 0, 0).encode())
        await tail.expect("hello")
        assert (await tail.expect("notice"))["event"] == "gap"
        await tail.read_lines(1)
        await nothing_arrives(tail)
        assert "other-private" not in tail.lines
        await tail.close()


async def test_a_cursor_into_a_rotated_copy_by_its_rotation_name_still_resumes(
    tmp_path: Path,
) -> None:
    folder = log_folder(tmp_path)
    app = folder / "app.log"
    append_lines(app, numbered("old", 4))
    async with running_server(tmp_path, {"app": app}) as server:
        first = await server.tail("app", backlog=2)
        await first.expect("hello")
        await first.read_lines(2)
        cursor = first.cursor
        await first.close()
        followers = server.app[SERVICES].followers
        assert followers is not None
        await wait_for(lambda: len(followers) == 0)
        append_lines(app, ["old-after"])
        app.rename(folder / "app.log.20261201-210405")
        append_lines(app, ["new-1"])
        tail = await server.tail("app", cursor=cursor)
        await tail.expect("hello")
        got = await read_until(tail, "new-1")
        assert [x for x in got if not x.startswith("<")] == ["old-after", "new-1"]
        await tail.close()


async def test_a_cursor_whose_checksum_does_not_match_is_a_gap_not_a_read_from_the_start(
    tmp_path: Path,
) -> None:
    folder = log_folder(tmp_path)
    app = folder / "app.log"
    append_lines(app, numbered("line", 50))
    st = app.stat()
    wrong = FileCursor(st.st_dev, st.st_ino, 30 * len("line-000000\n"), 0x1234).encode()
    async with running_server(tmp_path, {"app": app}, max_backlog=5) as server:
        tail = await server.tail("app", cursor=wrong)
        await tail.expect("hello")
        assert (await tail.expect("notice"))["event"] == "gap"
        # The log's last max_backlog lines, not the file from its start.
        assert await tail.read_lines(5) == numbered("line", 5, start=45)
        await nothing_arrives(tail)
        assert transcript(tail)[0] == "<gap>"
        await tail.close()


async def test_a_catalog_entry_outside_every_root_stops_the_service_from_starting(
    tmp_path: Path,
) -> None:
    folder = log_folder(tmp_path)
    elsewhere = tmp_path / "elsewhere.log"
    elsewhere.write_text("x\n")
    with pytest.raises(Exception, match="root") as caught:
        async with running_server(
            tmp_path, {"app": folder / "app.log", "stray": elsewhere}, file_roots=(str(folder),)
        ):
            pass
    assert "stray" in str(caught.value)


async def test_a_reload_that_adds_an_entry_outside_the_roots_is_rejected(tmp_path: Path) -> None:
    folder = log_folder(tmp_path)
    app = folder / "app.log"
    app.write_text("")
    async with running_server(tmp_path, {"app": app}, file_roots=(str(folder),)) as server:
        store = server.app[SERVICES].catalog
        assert not store.offer(
            f"logs:\n  - id: app\n    file: {app}\n  - id: stray\n    file: /etc/passwd\n",
            "catalog.yaml",
        )
        assert store.current.get("stray") is None
        assert store.last_error is not None and "root" in store.last_error
        assert "stray" in store.last_error


@pytest.mark.parametrize(
    "path",
    [
        "/proc/self/environ",
        "/proc/1/cmdline",
        "/dev/zero",
        "/sys/kernel/mm/transparent_hugepage/enabled",
        "/var/run/secrets/kubernetes.io/serviceaccount/token",
        "/run/secrets/kubernetes.io/serviceaccount/token",
        "/var/lib/kubelet/pods/x/volumes/kubernetes.io~projected/serviceaccount/token",
    ],
)
def test_check_config_refuses_kernel_device_and_credential_paths(tmp_path: Path, path: str) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(f"logs:\n  - id: bad\n    file: {path}\n")
    result = run_tailgate("check-config", str(catalog))
    assert result.returncode == 1
    assert "bad" in result.stderr and "root" in result.stderr
    # Even a root that would hold it does not make it readable.
    result = run_tailgate("check-config", "--file-root", "/", str(catalog))
    assert result.returncode == 1


def test_check_config_names_an_entry_outside_the_file_roots(tmp_path: Path) -> None:
    folder = log_folder(tmp_path)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        f"logs:\n  - id: app\n    file: {folder}/app.log\n  - id: stray\n    file: /var/log/x.log\n"
    )
    result = run_tailgate("check-config", "--file-root", str(folder), str(catalog))
    assert result.returncode == 1
    assert "stray" in result.stderr and "root" in result.stderr
    assert "'app'" not in result.stderr
    env = {"TAILGATE_FILE_ROOTS": f"{folder}:/var/log"}
    assert run_tailgate("check-config", str(catalog), env=env).returncode == 0


def test_a_relative_or_forbidden_file_root_is_a_clear_settings_error(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("logs:\n  - id: app\n    file: /var/log/app.log\n")
    result = run_tailgate("check-config", "--file-root", "relative/dir", str(catalog))
    assert result.returncode == 2
    assert "--file-root" in result.stderr and "absolute" in result.stderr
    result = run_tailgate("check-config", "--file-root", "/proc", str(catalog))
    assert result.returncode == 2
    assert os.path.exists("/proc")


async def test_a_cursor_into_a_rotated_name_that_links_out_of_the_folder_is_a_gap(
    tmp_path: Path,
) -> None:
    secret = secret_file(tmp_path)
    folder = log_folder(tmp_path)
    app = folder / "app.log"
    append_lines(app, ["current"])
    (folder / "app.log.1").symlink_to(secret)
    st = secret.stat()
    async with running_server(tmp_path, {"app": app}) as server:
        tail = await server.tail("app", cursor=FileCursor(st.st_dev, st.st_ino, 0, 0).encode())
        await tail.expect("hello")
        assert (await tail.expect("notice"))["event"] == "gap"
        await tail.read_lines(1)
        await nothing_arrives(tail)
        assert SECRET not in received_text(tail.frames)
        await tail.close()
