"""The chart's example PrometheusRule: off by default, only tailgate's own metrics, and
alerts that fire as documented.

Prometheus' own `promtool` (tests/setup.d/55-promtool.sh) checks the rendered rules
(PromQL and the alert templates parse) and runs rule unit tests on made-up series: the
alerts fire, with annotations whose `{{ $labels.log_id }}` survived Helm's templating,
and stay quiet below their thresholds. Metric names are compared with what a running
tailgate exports (tests/deploy/test_dashboard.py).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .chart import NAMESPACE, ROOT, SCENARIOS, HelmFailed, Obj, render, scenario_id
from .test_chart_values import OIDC, write_values
from .test_dashboard import PROMQL, exported_names, identifiers, no_leaked_tasks  # noqa: F401 (a fixture)

PROMTOOL = ROOT / ".tools" / "promtool" / "promtool"
(ALL_FEATURES,) = [p for p in SCENARIOS if scenario_id(p) == "all-features"]
#: The series Prometheus itself writes for every target, besides tailgate's.
PROMETHEUS_OWN = {"up"}
SCOPE = f'job="tailgate", namespace="{NAMESPACE}"'


def prometheus_rules(values: Path | None) -> list[Obj]:
    return [o for o in render(values) if o["kind"] == "PrometheusRule"]


def the_rule(values: Path) -> Obj:
    (rule,) = prometheus_rules(values)
    return rule


def alerts(rule: Obj) -> list[Obj]:
    return [r for group in rule["spec"]["groups"] for r in group["rules"]]


def promtool(*args: str, cwd: Path) -> str:
    if not PROMTOOL.exists():
        pytest.fail(f"{PROMTOOL} is missing: run `bash tests/setup.d/55-promtool.sh`")
    done = subprocess.run(
        [str(PROMTOOL), *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"promtool {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return done.stdout


def write_rules(rule: Obj, folder: Path) -> Path:
    """The PrometheusRule's spec as the rule file Prometheus gets from the operator."""
    path = folder / "rules.yaml"
    path.write_text(yaml.safe_dump(rule["spec"]))
    return path


@pytest.mark.parametrize("values", [p for p in SCENARIOS if p != ALL_FEATURES], ids=scenario_id)
def test_no_prometheus_rule_unless_enabled(values: Path) -> None:
    assert prometheus_rules(values) == []


def test_enabled_it_carries_the_labels_the_operator_selects_rules_by() -> None:
    rule = the_rule(ALL_FEATURES)
    assert rule["metadata"]["namespace"] == NAMESPACE
    assert rule["metadata"]["labels"]["release"] == "prometheus"
    assert {a["labels"]["team"] for a in alerts(rule)} == {"ops"}


def test_without_sign_in_it_is_refused_as_prometheus_could_not_scrape(tmp_path: Path) -> None:
    values = write_values(tmp_path, "auth: {mode: none}\nprometheusRule: {enabled: true}\n")
    with pytest.raises(HelmFailed, match="Prometheus cannot scrape"):
        render(values)


@pytest.mark.parametrize(
    "text",
    [
        "prometheusRule: {enabled: true, logMatches: [{pattern: Errors, threshold: 1,"
        " window: 5m, for: 5m, severity: x}]}\n",
        "prometheusRule: {enabled: true, down: {enabled: true, for: soon, severity: x}}\n",
        "prometheusRule: {enabled: true, sourceErrors: {threshold: many}}\n",
        "prometheusRule: {enabled: true, downn: {}}\n",
    ],
    ids=[
        "pattern-name-not-a-count-name",
        "duration-not-a-duration",
        "threshold-not-a-number",
        "typo",
    ],
)
def test_the_schema_refuses_bad_rule_values(tmp_path: Path, text: str) -> None:
    with pytest.raises(HelmFailed, match="schema"):
        render(write_values(tmp_path, OIDC + text))


def test_each_alert_can_be_turned_off_and_each_pattern_has_its_own(tmp_path: Path) -> None:
    off = {"enabled": False, "severity": "x"}
    values: dict[str, Any] = {
        "prometheusRule": {
            "enabled": True,
            "job": "logs",
            "logMatches": [],
            "down": {**off, "for": "1m"},
            "countingCapped": {**off, "for": "1m"},
            "podStreamsCapped": {**off, "for": "1m"},
            "discoveryFailing": {**off, "for": "1m"},
            "catalogRefused": {**off, "window": "1m"},
            "sourceErrors": {**off, "threshold": 1, "window": "1m", "for": "1m"},
            "upstreamErrors": {**off, "threshold": 1, "window": "1m", "for": "1m"},
        }
    }
    path = write_values(tmp_path, OIDC + yaml.safe_dump(values))
    assert prometheus_rules(path) == [], "an object of no rule at all"

    # Renders are cached by file: the second values go to a file of their own.
    (tmp_path / "patterns").mkdir()
    values["prometheusRule"]["logMatches"] = [
        {"pattern": p, "threshold": 3, "window": "2m", "for": "1m", "severity": "page"}
        for p in ("errors", "oom_kills")
    ]
    path = write_values(tmp_path / "patterns", OIDC + yaml.safe_dump(values))
    found = alerts(the_rule(path))
    assert [a["alert"] for a in found] == ["TailgateLogMatches"] * 2
    assert [re.findall(r'pattern="(\w+)"', a["expr"]) for a in found] == [["errors"], ["oom_kills"]]
    assert all('job="logs"' in a["expr"] and "[2m]" in a["expr"] for a in found)


@pytest.mark.usefixtures("no_leaked_tasks")
async def test_every_expression_uses_only_metrics_tailgate_exports(tmp_path: Path) -> None:
    exported = await exported_names(tmp_path) | PROMETHEUS_OWN
    problems = []
    for alert in alerts(the_rule(ALL_FEATURES)):
        names = identifiers(alert["expr"]) - PROMQL - {"absent"}
        if not names:
            problems.append(f"{alert['alert']}: no metric in {alert['expr']!r}")
        problems += [f"{alert['alert']}: {n} is not exported" for n in sorted(names - exported)]
        if SCOPE not in alert["expr"]:
            problems.append(f"{alert['alert']}: not scoped to this release ({SCOPE})")
    assert not problems, "\n".join(problems)


def test_promtool_accepts_the_rules(tmp_path: Path) -> None:
    write_rules(the_rule(ALL_FEATURES), tmp_path)
    rules = alerts(the_rule(ALL_FEATURES))
    output = promtool("check", "rules", "rules.yaml", cwd=tmp_path)
    assert f"SUCCESS: {len(rules)} rules found" in output


def test_promtool_refuses_a_broken_expression(tmp_path: Path) -> None:
    rule = the_rule(ALL_FEATURES)
    alerts(rule)[0]["expr"] = "sum by (log_id (tailgate_log_lines_total)"
    write_rules(rule, tmp_path)
    with pytest.raises(AssertionError, match="parse error"):
        promtool("check", "rules", "rules.yaml", cwd=tmp_path)


def _series(name: str, values: str, **labels: str) -> dict[str, str]:
    text = ", ".join([SCOPE, *(f'{k}="{v}"' for k, v in labels.items())])
    return {"series": f"{name}{{{text}}}", "values": values}


def _firing(**labels: str) -> dict[str, str]:
    return {"severity": "warning", "team": "ops", "namespace": NAMESPACE, **labels}


def _fires(
    at: str, alert: str, labels: dict[str, str], summary: str, description: str
) -> dict[str, Any]:
    """A promtool alert test: at ``at``, ``alert`` fires once, with these labels and texts."""
    annotations = {"summary": summary, "description": description}
    expected = [{"exp_labels": labels, "exp_annotations": annotations}]
    return {"eval_time": at, "alertname": alert, "exp_alerts": expected}


def _quiet(at: str, alert: str) -> dict[str, Any]:
    return {"eval_time": at, "alertname": alert, "exp_alerts": []}


#: Two replicas count the same logs; `api` matches "errors" 5 times a minute, `web` once.
_MATCHES = [
    _series("tailgate_log_matches_total", "0+5x30", pod=pod, log_id="api", pattern="errors")
    for pod in ("tailgate-a", "tailgate-b")
] + [
    _series(
        "tailgate_log_matches_total", "0+1x30", pod="tailgate-a", log_id="web", pattern="errors"
    )
]

RULE_TESTS: list[dict[str, Any]] = [
    {
        "input_series": [
            *_MATCHES,
            _series("up", "1x30", pod="tailgate-a"),
            _series("up", "1x5 0x25", pod="tailgate-b"),
            _series("tailgate_counting_capped", "0x30", what="patterns"),
            _series("tailgate_counting_capped", "0x10 3x20", what="logs"),
            _series("tailgate_catalog_reloads_total", "0x20 1x10", result="invalid"),
            _series("tailgate_catalog_reloads_total", "0+1x30", result="unchanged"),
            _series(
                "tailgate_source_errors_total", "0+4x30", kind="pods", reason="api_unavailable"
            ),
            _series("tailgate_source_errors_total", "0+1x30", kind="file", reason="read_error"),
            _series("tailgate_upstream_reconnects_total", "0+3x30", reason="error"),
            _series("tailgate_upstream_reconnects_total", "0+9x30", reason="ended"),
            _series("tailgate_pod_streams_waiting", "0x5 12x25", pod="tailgate-a"),
            _series("tailgate_pod_streams_waiting", "0x30", pod="tailgate-b"),
            _series("tailgate_discovery_watches_failing", "0x10 2x20", pod="tailgate-b"),
        ],
        "alert_rule_test": [
            # Not 50: the two replicas counted the same 25 lines.
            _fires(
                "20m",
                "TailgateLogMatches",
                _firing(log_id="api", pattern="errors"),
                "api: more than 10 lines matching errors in 5m",
                "25 lines of log api matched its count: pattern errors within 5m (more than 10).",
            ),
            _fires(
                "20m",
                "TailgateDown",
                {**_firing(severity="critical"), "job": "tailgate", "pod": "tailgate-b"},
                "tailgate is down in tailgate",
                "Prometheus could not scrape tailgate (tailgate, pod tailgate-b) for 5m, or "
                "finds no tailgate target at all: nobody can watch logs, and counted logs are "
                "not counted.",
            ),
            _quiet("20m", "TailgateCountingCapped"),
            _fires(
                "27m",
                "TailgateCountingCapped",
                _firing(what="logs"),
                "tailgate leaves 3 logs uncounted",
                "The counting caps (--max-counted-logs, --max-count-patterns) leave 3 logs of "
                "the catalog's count: entries without counters; the server's log names them. "
                "Raise the cap or count fewer.",
            ),
            _quiet("14m", "TailgatePodStreamsCapped"),
            _fires(
                "16m",
                "TailgatePodStreamsCapped",
                _firing(pod="tailgate-a"),
                "12 pod logs wait for a stream slot on tailgate-a",
                "tailgate-a follows as many pod logs as --max-pod-streams allows; 12 more wait "
                "for a slot, and their viewers get a stream_cap error instead of lines. Raise "
                "config.maxPodStreams or narrow the selectors.",
            ),
            _quiet("19m", "TailgateDiscoveryFailing"),
            _fires(
                "21m",
                "TailgateDiscoveryFailing",
                _firing(pod="tailgate-b"),
                "2 discover rule watches keep failing on tailgate-b",
                "2 lists or watches of the catalog's discover rules keep failing on tailgate-b: "
                "workloads created meanwhile are not offered. tailgate_discovery_errors_total "
                "says which resource and why (forbidden: a missing RBAC rule).",
            ),
            _quiet("15m", "TailgateCatalogRefused"),
            _fires(
                "25m",
                "TailgateCatalogRefused",
                _firing(result="invalid"),
                "tailgate refused a catalog (invalid)",
                "A catalog load in tailgate was refused (invalid) within 10m: the last good "
                "catalog stays in force. The server's log (and, for a ConfigMap catalog, a "
                "Warning Event on it) says what is wrong.",
            ),
            _fires(
                "25m",
                "TailgateSourceErrors",
                _firing(kind="pods", reason="api_unavailable"),
                "tailgate cannot read pods logs: api_unavailable",
                "40 errors reading pods logs (api_unavailable) within 10m: viewers of those logs "
                "get errors or gaps.",
            ),
            _fires(
                "25m",
                "TailgateUpstreamErrors",
                _firing(),
                "tailgate's Kubernetes log streams keep failing",
                "30 Kubernetes log streams were opened again after an error within 10m: the API "
                "server refuses or drops them; pod logs may lag.",
            ),
        ],
    },
    {
        # No tailgate target at all: `up` is absent.
        "input_series": [{"series": 'up{job="other", namespace="tailgate"}', "values": "1x10"}],
        "alert_rule_test": [
            _fires(
                "10m",
                "TailgateDown",
                {**_firing(severity="critical"), "job": "tailgate"},
                "tailgate is down in tailgate",
                "Prometheus could not scrape tailgate (tailgate) for 5m, or finds no tailgate "
                "target at all: nobody can watch logs, and counted logs are not counted.",
            ),
            _quiet("10m", "TailgateLogMatches"),
        ],
    },
]


def test_the_alerts_fire_on_the_series_they_are_meant_for_and_only_those(tmp_path: Path) -> None:
    write_rules(the_rule(ALL_FEATURES), tmp_path)
    tests = [{"interval": "1m", **case} for case in RULE_TESTS]
    (tmp_path / "test.yaml").write_text(
        yaml.safe_dump({"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": tests})
    )
    output = promtool("test", "rules", "test.yaml", cwd=tmp_path)
    assert "SUCCESS" in output
