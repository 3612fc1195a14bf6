"""Catalog entries for pod logs: `pod` and `pods`, validated with line numbers."""

from __future__ import annotations

import pytest

from tailgate.catalog.model import PodSpec, PodsSpec
from tailgate.catalog.parsing import parse_catalog
from tailgate.errors import ConfigError

GOOD = """\
logs:
  - id: web-0
    pod: {namespace: shop, name: web-0, container: nginx}
  - id: api
    pods: {namespace: shop, selector: "app=api,tier in (a, b)", container: api}
  - id: api-crashed
    pod: {namespace: shop, name: api-7d9f, container: api, previous: true}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_catalog(text, "c.yaml")
    return info.value.problems


def test_pod_and_pods_entries_parse_into_their_specs() -> None:
    catalog = parse_catalog(GOOD)
    assert catalog.entries["web-0"].source == PodSpec("shop", "web-0", "nginx")
    assert catalog.entries["api"].source == PodsSpec("shop", "app=api,tier in (a, b)", "api")
    assert catalog.entries["api-crashed"].source == PodSpec("shop", "api-7d9f", "api", True)
    assert [e.kind for e in catalog.entries.values()] == ["pod", "pods", "pod"]


def test_every_problem_with_a_pod_entry_is_reported_with_its_line() -> None:
    found = problems(
        "logs:\n"
        "  - id: a\n"
        "    pod: {namespace: Shop, name: web-0, previous: maybe, extra: 1}\n"
        "  - id: b\n"
        "    pods: {namespace: shop, selector: 'app in (a'}\n"
        "  - id: c\n"
        "    file: /x\n"
        "    pod: {namespace: shop, name: w}\n"
        "  - id: d\n"
        "    pods: {namespace: shop}\n"
    )
    assert any(p.startswith("c.yaml:3: logs[0].pod: unknown key 'extra'") for p in found)
    assert any("c.yaml:3: logs[0].pod.namespace: invalid namespace 'Shop'" in p for p in found)
    assert any("logs[0].pod.previous: must be true or false" in p for p in found)
    assert any(
        p.startswith("c.yaml:5: logs[1].pods.selector: invalid label selector") for p in found
    )
    assert any(p.startswith("c.yaml:8: logs[2]: give only one of") for p in found)
    assert any(p.startswith("c.yaml:10: logs[3].pods: missing 'selector'") for p in found)


def test_changing_a_pod_entry_counts_as_a_changed_source() -> None:
    old = parse_catalog(GOOD)
    new = parse_catalog(GOOD.replace("container: nginx", "container: sidecar"))
    assert old.changed_ids(new) == {"web-0"}
