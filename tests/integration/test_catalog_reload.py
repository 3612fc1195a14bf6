"""Editing the catalog while tails are open: changes apply, affected tails end with 4410.

Each reload is awaited through ``tailgate_catalog_reloads_total``, the same signal an
operator watches; the first load at start counts as one ``ok``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
from pathlib import Path

import pytest

from tailgate.catalog.file_watch import CatalogFileWatcher
from tailgate.catalog.store import CatalogStore
from tailgate.composition import load_store
from tailgate.files.inotify import InotifyHub
from tailgate.metrics import Metrics
from tailgate.settings import Settings
from tests.support.tails import RunningServer, TailClient, catalog_yaml, running_server, wait_for
from tests.unit.test_catalog_file_reading import fifo_at
from tests.unit.test_catalog_store import WitnessRoots
from tests.unit.test_catalog_yaml_document import alias_bomb

RELOADS = "tailgate_catalog_reloads_total"


def replace_file(path: Path, text: str) -> None:
    """Write ``text`` the way editors save: a new file renamed over the old one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


async def wait_reloads(server: RunningServer, result: str, count: int) -> None:
    await wait_for(lambda: server.metric(RELOADS, result=result) == count)


async def listed(server: RunningServer) -> dict[str, str]:
    async with server.session.get(f"{server.base_url}/api/logs") as response:
        assert response.status == 200
        return {log["id"]: log["title"] for log in (await response.json())["logs"]}


async def open_tail(server: RunningServer, log_id: str, **query: object) -> TailClient:
    tail = await server.tail(log_id, **query)
    await tail.expect("hello")
    return tail


async def still_following(tail: TailClient, log: Path, line: str) -> None:
    """The tail is open and delivers a line appended now."""
    with log.open("a") as f:
        f.write(line + "\n")
    lines = await tail.read_lines(len(tail.lines) + 1)
    assert lines[-1] == line


def make_logs(tmp_path: Path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        path = tmp_path / f"{name}.log"
        path.write_text(f"{name} first\n")
        paths.append(path)
    return paths


async def test_adding_a_log_to_the_catalog_file_lists_it_and_lets_it_be_tailed(
    tmp_path: Path,
) -> None:
    a, b = make_logs(tmp_path, "a", "b")
    async with running_server(tmp_path, {"a": a}) as server:
        assert await listed(server) == {"a": "a"}
        # Edited in place (truncated and rewritten), unlike the renames used below.
        server.catalog_path.write_text(catalog_yaml({"a": a, "b": b}))
        await wait_for(lambda: server.metric("tailgate_catalog_entries") == 2)
        assert await listed(server) == {"a": "a", "b": "b"}
        tail = await open_tail(server, "b")
        assert await tail.read_lines(1) == ["b first"]
        await tail.close()


async def test_removing_an_id_closes_its_tails_with_4410_and_keeps_the_others_open(
    tmp_path: Path,
) -> None:
    a, b = make_logs(tmp_path, "a", "b")
    async with running_server(tmp_path, {"a": a, "b": b}) as server:
        removed = [await open_tail(server, "a", backlog=0) for _ in range(2)]
        kept = await open_tail(server, "b", backlog=0)
        replace_file(server.catalog_path, catalog_yaml({"b": b}))
        reasons = await asyncio.gather(*(tail.expect_close(4410) for tail in removed))
        assert all("removed or changed" in reason for reason in reasons)
        await still_following(kept, b, "b after the reload")
        assert await listed(server) == {"b": "b"}
        refused = await server.tail("a")
        error = await refused.expect("error")
        assert error["code"] == "unknown_log"
        await refused.expect_close(4404)
        await kept.close()


async def test_pointing_an_id_at_another_file_closes_its_tails_with_4410(tmp_path: Path) -> None:
    a, b, other = make_logs(tmp_path, "a", "b", "other")
    async with running_server(tmp_path, {"a": a, "b": b}) as server:
        changed = await open_tail(server, "a", backlog=0)
        kept = await open_tail(server, "b", backlog=0)
        replace_file(server.catalog_path, catalog_yaml({"a": other, "b": b}))
        await changed.expect_close(4410)
        await still_following(kept, b, "b after the reload")
        reopened = await open_tail(server, "a")
        assert await reopened.read_lines(1) == ["other first"]
        await reopened.close()
        await kept.close()


async def test_changing_only_a_title_keeps_the_tails_of_that_log_open(tmp_path: Path) -> None:
    (a,) = make_logs(tmp_path, "a")
    async with running_server(tmp_path, {"a": a}) as server:
        tail = await open_tail(server, "a", backlog=0)
        replace_file(server.catalog_path, f"logs:\n  - id: a\n    title: Renamed\n    file: {a}\n")
        await wait_reloads(server, "ok", 2)
        assert await listed(server) == {"a": "Renamed"}
        await still_following(tail, a, "after the new title")
        await tail.close()


async def test_changing_only_an_allow_list_keeps_the_tails_of_that_log_open(
    tmp_path: Path,
) -> None:
    (a,) = make_logs(tmp_path, "a")
    async with running_server(tmp_path, {"a": a}) as server:
        tail = await open_tail(server, "a", backlog=0)
        replace_file(
            server.catalog_path, f"logs:\n  - id: a\n    file: {a}\n    allow: {{groups: [ops]}}\n"
        )
        await wait_reloads(server, "ok", 2)
        await still_following(tail, a, "after the new allow list")
        await tail.close()


async def test_changing_the_follow_mode_closes_the_tails_of_that_log_with_4410(
    tmp_path: Path,
) -> None:
    a, b = make_logs(tmp_path, "a", "b")
    async with running_server(tmp_path, {"a": a, "b": b}) as server:
        changed = await open_tail(server, "a", backlog=0)
        kept = await open_tail(server, "b", backlog=0)
        replace_file(
            server.catalog_path,
            f"logs:\n  - id: a\n    file: {a}\n    follow: poll\n  - id: b\n    file: {b}\n",
        )
        await changed.expect_close(4410)
        await still_following(kept, b, "b after the reload")
        await kept.close()


async def test_a_kubernetes_configmap_update_by_symlink_swap_is_applied(tmp_path: Path) -> None:
    a, b = make_logs(tmp_path, "a", "b")
    mount = tmp_path / "config"
    mount.mkdir()
    (mount / "..2026_01_01_v1").mkdir()
    (mount / "..2026_01_01_v1" / "catalog.yaml").write_text(catalog_yaml({"a": a}))
    (mount / "..data").symlink_to("..2026_01_01_v1")
    (mount / "catalog.yaml").symlink_to("..data/catalog.yaml")
    async with running_server(
        tmp_path, "logs: {}\n", catalog=str(mount / "catalog.yaml")
    ) as server:
        assert await listed(server) == {"a": "a"}
        tail = await open_tail(server, "a", backlog=0)
        # What the kubelet does: a new timestamped folder, a temporary link to it
        # renamed over ..data, then the old folder removed.
        (mount / "..2026_01_01_v2").mkdir()
        (mount / "..2026_01_01_v2" / "catalog.yaml").write_text(catalog_yaml({"b": b}))
        (mount / "..data_tmp").symlink_to("..2026_01_01_v2")
        os.replace(mount / "..data_tmp", mount / "..data")
        (mount / "..2026_01_01_v1" / "catalog.yaml").unlink()
        (mount / "..2026_01_01_v1").rmdir()
        await tail.expect_close(4410)
        await wait_reloads(server, "ok", 2)
        assert await listed(server) == {"b": "b"}
        assert server.metric(RELOADS, result="error") == 0


async def test_an_invalid_edit_keeps_the_last_good_catalog_until_a_valid_one(
    tmp_path: Path,
) -> None:
    a, b = make_logs(tmp_path, "a", "b")
    async with running_server(tmp_path, {"a": a}) as server:
        tail = await open_tail(server, "a", backlog=0)
        replace_file(server.catalog_path, "logs:\n  - id: a\n    file: relative.log\n")
        await wait_reloads(server, "invalid", 1)
        assert await listed(server) == {"a": "a"}
        assert server.metric("tailgate_catalog_entries") == 1
        await still_following(tail, a, "a after the invalid edit")
        async with server.session.get(f"{server.base_url}/readyz") as response:
            assert response.status == 200
        replace_file(server.catalog_path, catalog_yaml({"a": a, "b": b}))
        await wait_reloads(server, "ok", 2)
        assert await listed(server) == {"a": "a", "b": "b"}
        await still_following(tail, a, "a after the valid edit")
        assert server.metric(RELOADS, result="invalid") == 1
        await tail.close()


async def test_bad_yaml_in_an_edit_is_rejected_like_any_invalid_catalog(tmp_path: Path) -> None:
    (a,) = make_logs(tmp_path, "a")
    async with running_server(tmp_path, {"a": a}) as server:
        replace_file(server.catalog_path, "logs: [\n")
        await wait_reloads(server, "invalid", 1)
        assert await listed(server) == {"a": "a"}


async def test_a_deleted_catalog_file_keeps_the_last_good_catalog(tmp_path: Path) -> None:
    (a,) = make_logs(tmp_path, "a")
    async with running_server(tmp_path, {"a": a}) as server:
        tail = await open_tail(server, "a", backlog=0)
        server.catalog_path.unlink()
        await wait_reloads(server, "error", 1)
        assert await listed(server) == {"a": "a"}
        await still_following(tail, a, "a after the catalog vanished")
        await tail.close()


async def test_the_short_form_maps_ids_to_paths(tmp_path: Path) -> None:
    one, two = make_logs(tmp_path, "one", "two")
    async with running_server(tmp_path, f'logs: {{"1": {one}, "2": {two}}}\n') as server:
        assert await listed(server) == {"1": "1", "2": "2"}
        tail = await open_tail(server, "2")
        assert await tail.read_lines(1) == ["two first"]
        replace_file(server.catalog_path, f'logs: {{"1": {two}}}\n')
        await tail.expect_close(4410)
        assert await listed(server) == {"1": "1"}
        moved = await open_tail(server, "1")
        assert await moved.read_lines(1) == ["two first"]
        await moved.close()


async def test_a_tail_closed_by_a_catalog_change_is_recorded_as_ended(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tailgate.tails")
    a, b = make_logs(tmp_path, "a", "b")
    async with running_server(tmp_path, {"a": a, "b": b}) as server:
        tail = await open_tail(server, "a")
        await tail.read_lines(1)
        replace_file(server.catalog_path, catalog_yaml({"b": b}))
        await tail.expect_close(4410)
    # Leaving the block has waited for every handler to finish.
    ended = [r for r in caplog.records if getattr(r, "event", None) == "tail_ended"]
    assert [(r.__dict__["log_id"], r.__dict__["close_code"]) for r in ended] == [("a", 4410)]


async def test_a_fifo_in_place_of_the_catalog_is_refused_and_the_last_good_one_stays(
    tmp_path: Path,
) -> None:
    (a,) = make_logs(tmp_path, "a")
    # Around the whole server: a reader that blocks on the FIFO is still released.
    fifo_path = tmp_path / "catalog.yaml"
    with fifo_at(tmp_path / "new.yaml", moved_to=fifo_path) as fifo:
        async with running_server(tmp_path, {"a": a}) as server:
            assert server.catalog_path == fifo_path
            tail = await open_tail(server, "a", backlog=0)
            os.replace(fifo, server.catalog_path)
            await wait_reloads(server, "error", 1)
            assert await listed(server) == {"a": "a"}
            await still_following(tail, a, "a after the FIFO")
            replace_file(server.catalog_path, catalog_yaml({"a": a, "b": a}))
            await wait_reloads(server, "ok", 2)
            await tail.close()


async def test_a_fifo_at_the_catalog_path_stops_the_start_at_once(tmp_path: Path) -> None:
    with fifo_at(tmp_path / "catalog.yaml") as fifo:
        settings = Settings(catalog=str(fifo), auth="none")
        with pytest.raises(OSError, match=r"not a regular file \(a FIFO\)"):
            load_store(settings, Metrics())


async def test_an_alias_bomb_in_an_edit_is_refused_at_once_and_the_server_keeps_serving(
    tmp_path: Path,
) -> None:
    (a,) = make_logs(tmp_path, "a")
    async with running_server(tmp_path, {"a": a}) as server:
        tail = await open_tail(server, "a", backlog=0)
        replace_file(server.catalog_path, alias_bomb(9))
        await wait_reloads(server, "invalid", 1)
        assert await listed(server) == {"a": "a"}
        await still_following(tail, a, "a after the bomb")
        await tail.close()


async def test_an_edited_catalog_file_is_checked_while_the_event_loop_keeps_running(
    tmp_path: Path,
) -> None:
    a, b = make_logs(tmp_path, "a", "b")
    path = tmp_path / "catalog.yaml"
    path.write_text(catalog_yaml({"a": a}))
    roots = WitnessRoots(waiting_on=str(b))
    store = CatalogStore(Metrics(), roots=roots)
    store.offer(path.read_text(), str(path))
    hub = InotifyHub(asyncio.get_running_loop())
    watcher = CatalogFileWatcher(str(path), store, hub if hub.available else None)
    watcher.start(path.read_text())
    try:
        replace_file(path, catalog_yaml({"a": a, "b": b}))
        await roots.run_the_loop_during_the_check()
        await wait_for(lambda: "b" in store.current.entries)
        assert roots.loop_ran_during_check.is_set()
    finally:
        watcher.close()
        hub.close()


async def test_a_reload_of_ten_thousand_entries_never_holds_the_event_loop_for_long(
    tmp_path: Path,
) -> None:
    (a,) = make_logs(tmp_path, "a")
    many = {f"log-{i}": tmp_path / f"log-{i}.log" for i in range(10_000)}
    async with running_server(tmp_path, {"a": a}) as server:
        tail = await open_tail(server, "a", backlog=0)
        loop = asyncio.get_running_loop()
        ticks: list[float] = []

        async def heartbeat() -> None:
            while True:
                ticks.append(loop.time())
                await asyncio.sleep(0.001)

        text = catalog_yaml({"a": a, **many})
        beating = asyncio.create_task(heartbeat())
        try:
            start = loop.time()
            replace_file(server.catalog_path, text)
            await wait_for(lambda: server.metric("tailgate_catalog_entries") == 10_001, timeout=60)
            end = loop.time()
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating
        during = [start, *(t for t in ticks if start <= t <= end), end]
        longest = max(b - a for a, b in itertools.pairwise(during))
        # Relative, so a slow machine scales both sides: parsing on the loop makes one
        # gap nearly the whole reload; off the loop, the heartbeat goes on throughout
        # (short gaps remain: the parsing thread holds the GIL for garbage collection).
        assert longest < (end - start) / 2, (longest, end - start)
        assert len(await listed(server)) == 10_001
        await still_following(tail, a, "a after the reload")
        await tail.close()


async def test_edits_made_during_a_slow_reload_are_applied_after_it_newest_last(
    tmp_path: Path,
) -> None:
    a, b, c, d = make_logs(tmp_path, "a", "b", "c", "d")
    path = tmp_path / "catalog.yaml"
    path.write_text(catalog_yaml({"a": a}))
    roots = WitnessRoots(waiting_on=str(b))
    store = CatalogStore(Metrics(), roots=roots)
    store.offer(path.read_text(), str(path))
    applied: list[list[str]] = []
    store.subscribe(lambda old, new: applied.append(sorted(new.entries)))
    hub = InotifyHub(asyncio.get_running_loop())
    watcher = CatalogFileWatcher(str(path), store, hub if hub.available else None)
    watcher.start(path.read_text())
    try:
        replace_file(path, catalog_yaml({"b": b}))
        assert await asyncio.to_thread(roots.checking.wait, 20.0)
        # The check of the first edit is held; two more edits arrive meanwhile.
        replace_file(path, catalog_yaml({"c": c}))
        replace_file(path, catalog_yaml({"d": d}))
        roots.loop_ran.set()
        await wait_for(lambda: sorted(store.current.entries) == ["d"])
        assert applied[0] == ["b"]
        assert applied[-1] == ["d"]
        assert applied in (
            [["b"], ["d"]],
            [["b"], ["c"], ["d"]],
        )
    finally:
        await watcher.aclose()
        hub.close()
