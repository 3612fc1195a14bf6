"""The chart lints and renders valid Kubernetes objects in every ci/ scenario, with Helm 3 and 4.

Built-in kinds are checked with kubernetes-validate (strict: unknown fields fail)
against the oldest and newest Kubernetes versions the chart supports; the custom
resources it can render (ServiceMonitor, PrometheusRule, HTTPRoute) against schemas of
their fields in crd_schemas/, since kubernetes-validate does not know them.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from .chart import (
    CHART,
    HELMS,
    KUBE_VERSIONS,
    SCENARIOS,
    Obj,
    helm,
    render,
    render_text,
    scenario_id,
    values_of,
)

CRD_SCHEMAS = {
    "ServiceMonitor": "servicemonitor.json",
    "HTTPRoute": "httproute.json",
    "PrometheusRule": "prometheusrule.json",
}

scenarios = pytest.mark.parametrize("values", SCENARIOS, ids=scenario_id)


def _crd_schema(kind: str) -> Obj:
    path = Path(__file__).parent / "crd_schemas" / CRD_SCHEMAS[kind]
    schema: Obj = json.loads(path.read_text())
    return schema


def test_there_is_a_scenario_for_each_way_the_chart_is_meant_to_be_used() -> None:
    names = {scenario_id(p) for p in SCENARIOS}
    assert {"minimal", "oidc-ingress-tls", "all-features", "all-namespaces"} <= names


@scenarios
@pytest.mark.parametrize("which", sorted(HELMS))
def test_helm_lint_strict_passes(values: Path, which: str) -> None:
    output = helm(which, "lint", "--strict", str(CHART), "--values", str(values))
    assert "0 chart(s) failed" in output


@scenarios
def test_helm_3_and_helm_4_render_the_same_objects(values: Path) -> None:
    helm3 = _settled(render(values, which="helm3"), values)
    assert helm3 == _settled(render(values, which="helm4"), values)


def _settled(objects: list[Obj], values: Path) -> list[Obj]:
    """The objects with a generated session secret (new in each render) blanked."""
    if values_of(values)["auth"]["sessionSecret"]:
        return objects
    for obj in objects:
        if obj["kind"] == "Secret" and "session-secret" in obj.get("data", {}):
            generated = base64.b64decode(obj["data"]["session-secret"]).decode()
            assert len(generated) >= 32
            obj["data"]["session-secret"] = "generated"
    return objects


@scenarios
@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_every_rendered_object_is_valid_for_the_supported_kubernetes_versions(
    values: Path, kube_version: str
) -> None:
    objects = render(values, kube_version=kube_version)
    assert len(objects) >= 6, "fewer objects than the chart always renders"
    for obj in objects:
        where = f"{obj['kind']} {obj['metadata']['name']}"
        if obj["kind"] in CRD_SCHEMAS:
            jsonschema.validate(obj, _crd_schema(obj["kind"]))
            continue
        try:
            kubernetes_validate.validate(obj, kube_version, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            pytest.fail(f"{where}: a kind with no schema; add one to crd_schemas/")
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{where} is invalid for Kubernetes {kube_version}: {exc.message}")


def test_the_crd_schemas_refuse_a_misspelled_field() -> None:
    (values,) = [p for p in SCENARIOS if scenario_id(p) == "all-features"]
    for kind in CRD_SCHEMAS:
        (obj,) = [o for o in render(values) if o["kind"] == kind]
        obj["spec"]["selektor"] = {}
        with pytest.raises(jsonschema.ValidationError, match="selektor"):
            jsonschema.validate(obj, _crd_schema(kind))


def test_every_template_renders_in_some_scenario() -> None:
    sources = set()
    for values in SCENARIOS:
        for line in render_text(values).splitlines():
            if line.startswith("# Source: tailgate/templates/"):
                sources.add(line.removeprefix("# Source: tailgate/"))
    templates = {str(p.relative_to(CHART)) for p in (CHART / "templates").rglob("*.yaml")}
    assert templates - sources == set()


def test_chart_metadata_names_the_supported_kubernetes_versions() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2"
    oldest = KUBE_VERSIONS[0].rsplit(".", 1)[0]
    assert chart["kubeVersion"] == f">={oldest}.0-0"


def test_rendering_for_a_kubernetes_older_than_supported_is_refused() -> None:
    from .chart import HelmFailed

    (values,) = [p for p in SCENARIOS if scenario_id(p) == "minimal"]
    with pytest.raises(HelmFailed, match="kubeVersion"):
        render_text(values, kube_version="1.28.0")
