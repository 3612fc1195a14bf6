"""The metrics endpoint serves every documented metric, with values that match what happened."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.support.tails import RunningServer, running_server, wait_for

DOCUMENTED = {
    "tailgate_active_tails",
    "tailgate_tails_started_total",
    "tailgate_tail_duration_seconds_bucket",
    "tailgate_tail_duration_seconds_count",
    "tailgate_tail_duration_seconds_sum",
    "tailgate_sent_lines_total",
    "tailgate_sent_bytes_total",
    "tailgate_ws_rejections_total",
    "tailgate_catalog_entries",
    "tailgate_catalog_reloads_total",
    "tailgate_source_errors_total",
}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(server: RunningServer) -> Samples:
    async with server.session.get(server.metrics_url) as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        text = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def test_the_metrics_endpoint_serves_every_documented_metric_once_it_has_samples(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    log.write_text("one\ntwo\nthree\n")
    folder = tmp_path / "folder"
    folder.mkdir()
    async with running_server(tmp_path, {"app": log, "folder": folder}) as server:
        # A tail that ends, one that stays open, a source that cannot be read, and a refusal.
        ended = await server.tail("app")
        await ended.expect("hello")
        assert await ended.read_lines(3) == ["one", "two", "three"]
        await ended.close()
        open_tail = await server.tail("app", backlog=1)
        await open_tail.expect("hello")
        await open_tail.read_lines(1)
        broken = await server.tail("folder")
        await broken.expect("hello")
        assert (await broken.expect("error"))["code"] == "not_a_file"
        refused = await server.tail("nope")
        await refused.expect_close(4404)
        await wait_for(
            lambda: server.metric("tailgate_tail_duration_seconds_count", kind="file") == 1
        )

        samples = await scrape(server)
        assert {name for name, _ in samples} >= DOCUMENTED
        assert value(samples, "tailgate_active_tails", log_id="app", kind="file") == 1
        assert value(samples, "tailgate_active_tails", log_id="folder", kind="file") == 1
        assert value(samples, "tailgate_tails_started_total", log_id="app", kind="file") == 2
        assert value(samples, "tailgate_tail_duration_seconds_count", kind="file") == 1
        assert value(samples, "tailgate_sent_lines_total", log_id="app") == 4
        assert value(samples, "tailgate_sent_bytes_total", log_id="app") > len("one\ntwo\nthree")
        assert value(samples, "tailgate_ws_rejections_total", reason="unknown_log") == 1
        assert value(samples, "tailgate_catalog_entries") == 2
        assert value(samples, "tailgate_catalog_reloads_total", result="ok") == 1
        assert value(samples, "tailgate_source_errors_total", kind="file", reason="not_a_file") == 1
        await open_tail.close()
        await broken.close()


async def test_metric_names_follow_the_namespace_and_unit_conventions(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("")
    async with running_server(tmp_path, {"app": log}) as server:
        samples = await scrape(server)
    names = {name for name, _ in samples}
    assert names and all(name.startswith("tailgate_") for name in names)
    assert not any(name.endswith("_created") for name in names)
