"""The Grafana dashboard queries only metrics tailgate really exports.

The real app is started in-process and used a little (a tail read and closed, a tail
refused), then its /metrics output and its registry's metric families give every
name it exports; metrics without samples yet still appear there by name. Each panel
and variable query must use only those names (with the `_bucket`, `_sum`, `_count`,
`_total` forms of a family) and PromQL's own functions and keywords.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.tails import running_server

from .chart import CHART, ROOT, SCENARIOS, rendered, scenario_id

DASHBOARD = ROOT / "docs" / "grafana-dashboard.json"
CHART_DASHBOARD = CHART / "files" / "grafana-dashboard.json"
#: The series names each type of metric family has (counters are queried as NAME_total).
SUFFIXES = {
    "counter": ("_total",),
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("_sum", "_count", ""),
}

#: PromQL functions and keywords the queries may use besides metric names.
PROMQL = {
    "sum", "max", "min", "avg", "count", "topk", "bottomk", "by", "without", "on",
    "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool",
    "rate", "irate", "increase", "delta", "deriv", "histogram_quantile", "label_values",
    "clamp_min", "clamp_max", "abs", "round", "time", "vector", "scalar", "sort_desc",
}  # fmt: skip


@pytest.fixture
async def no_leaked_tasks() -> AsyncIterator[None]:
    before = set(asyncio.all_tasks())
    yield
    for _ in range(50):
        leaked = [t for t in asyncio.all_tasks() - before if t is not asyncio.current_task()]
        if not [t for t in leaked if not t.done()]:
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"tasks left running: {leaked}")


async def exported_names(tmp_path: Path) -> set[str]:
    """Every metric name the running app exports, in each form a query may use."""
    log = tmp_path / "app.log"
    log.write_text("one\ntwo\n")
    async with running_server(tmp_path, {"app": log}) as server:
        tail = await server.tail("app", backlog=2)
        await tail.expect("hello")
        await tail.read_lines(2)
        await tail.close()
        async with server.session.get(server.base_url + "/ws/tail/nope") as refused:
            assert refused.status >= 400
        async with server.session.get(server.metrics_url) as response:
            assert response.status == 200
            text = await response.text()
        registry = {(family.name, family.type) for family in server.metrics.registry.collect()}
    scraped = list(text_string_to_metric_families(text))
    families = {(family.name, family.type) for family in scraped}
    samples = {sample.name for family in scraped for sample in family.samples}
    assert "tailgate_sent_lines_total" in samples, "the tail did not count its lines"
    return {
        name + suffix for name, kind in families | registry for suffix in SUFFIXES.get(kind, ("",))
    } | samples


def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return data


def panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in board["panels"]:
        yield panel
        yield from panel.get("panels", [])


def queries(board: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, expression) for every panel target and every query variable."""
    found = [
        (f"panel {panel['title']!r}", target["expr"])
        for panel in panels(board)
        for target in panel.get("targets", [])
    ]
    for variable in board["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]
            found.append((f"variable {variable['name']}", query.get("query", query)))
    return found


def identifiers(expression: str) -> set[str]:
    """The names in a PromQL expression, less strings, label matchers, groupings, ranges."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", r"\1", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"\$\w+", "", text)
    # A variable query's label argument: label_values(metric, label).
    text = re.sub(r",\s*\w+\s*\)", ")", text)
    return set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", text)) - {"le"}


@pytest.mark.usefixtures("no_leaked_tasks")
async def test_every_dashboard_query_uses_only_metrics_tailgate_exports(tmp_path: Path) -> None:
    exported = await exported_names(tmp_path)
    problems = []
    for where, expression in queries(dashboard()):
        names = identifiers(expression)
        metrics = {n for n in names if n not in PROMQL}
        if not metrics:
            problems.append(f"{where}: no metric in {expression!r}")
        for name in sorted(metrics - exported):
            problems.append(f"{where}: {name} is not exported")
    assert not problems, "\n".join(problems)


def test_the_metric_check_notices_a_name_that_is_not_exported() -> None:
    expression = 'sum by (log_id) (rate(tailgate_sent_linez_total{pod=~"$pod"}[$__rate_interval]))'
    assert identifiers(expression) - PROMQL == {"tailgate_sent_linez_total"}


def test_the_dashboard_shows_each_thing_operators_watch() -> None:
    used = set().union(*(identifiers(e) for _, e in queries(dashboard())))
    assert {
        "tailgate_active_tails",
        "tailgate_tails_started_total",
        "tailgate_sent_lines_total",
        "tailgate_sent_bytes_total",
        "tailgate_dropped_lines_total",
        "tailgate_gaps_total",
        "tailgate_ws_rejections_total",
        "tailgate_auth_logins_total",
        "tailgate_upstream_streams",
        "tailgate_upstream_reconnects_total",
        "tailgate_catalog_reloads_total",
        "tailgate_tail_duration_seconds_bucket",
        "tailgate_log_lines_total",
        "tailgate_log_matches_total",
        "tailgate_pod_streams_waiting",
        "tailgate_discovery_errors_total",
        "tailgate_discovery_watches_failing",
    } <= used


def test_counts_every_replica_makes_of_a_log_are_not_added_up() -> None:
    # Each replica reads and counts every counted log (docs/metrics.md): a sum would
    # show twice the lines and matches with two replicas.
    counted = {"tailgate_log_lines_total", "tailgate_log_matches_total"}
    found = [e for _, e in queries(dashboard()) if identifiers(e) & counted]
    assert len(found) == 2
    assert all(e.startswith("max by (log_id") and "sum" not in e for e in found), found


def test_the_dashboard_is_well_formed_for_grafana() -> None:
    board = dashboard()
    ids = [p["id"] for p in panels(board)]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    assert board["uid"] and board["title"]
    for panel in panels(board):
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            assert panel["description"], f"panel {panel['title']!r} says what it shows"


def test_the_chart_ships_the_same_dashboard_as_docs() -> None:
    assert CHART_DASHBOARD.read_text() == DASHBOARD.read_text()


@pytest.mark.parametrize(
    "values", [p for p in SCENARIOS if scenario_id(p) == "all-features"], ids=scenario_id
)
def test_the_dashboard_configmap_is_labelled_for_the_grafana_sidecar(values: Path) -> None:
    chart = rendered(values)
    (configmap,) = [c for c in chart.of_kind("ConfigMap") if "tailgate.json" in c["data"]]
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(configmap["data"]["tailgate.json"]) == dashboard()
