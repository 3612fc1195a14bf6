"""manifests/ is exactly what the chart renders with ci/plain-values.yaml, and kustomize
builds the same objects from it."""

from __future__ import annotations

import json
import subprocess

import yaml

from . import manifests
from .chart import MANIFESTS, PLAIN_VALUES, render


def test_the_plain_manifests_match_the_chart() -> None:
    for name, text in manifests.expected().items():
        path = MANIFESTS / name
        assert path.exists(), f"{path} is missing: run `{manifests.REGENERATE}`"
        assert path.read_text() == text, (
            f"{path} has drifted from the chart: run `{manifests.REGENERATE}`"
        )


def test_manifests_holds_nothing_the_kustomization_leaves_out() -> None:
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())
    files = {p.name for p in MANIFESTS.iterdir()} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_kustomize_builds_the_objects_the_chart_renders() -> None:
    built = subprocess.run(
        ["kubectl", "kustomize", str(MANIFESTS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        env={"KUBECONFIG": "/dev/null", "PATH": "/usr/bin:/bin:/usr/local/bin"},
    ).stdout
    objects = [o for o in yaml.safe_load_all(built) if o]

    def key(obj: dict[str, object]) -> str:
        return json.dumps(obj, sort_keys=True)

    assert sorted(map(key, objects)) == sorted(map(key, render(PLAIN_VALUES)))


def test_the_plain_manifests_need_no_helm_release_to_work() -> None:
    objects = render(PLAIN_VALUES)
    kinds = {o["kind"] for o in objects}
    assert "Secret" not in kinds, "secrets are the user's: the manifests name an existing one"
    assert "Pod" not in kinds, "a helm test pod means nothing without Helm"
