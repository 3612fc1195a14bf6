"""The chart under test: where it lives, the Helm binaries, and its rendered scenarios.

Helm comes from tests/setup.d/50-helm.sh (Helm 4 and Helm 3 in .tools/). Every Helm
call gets its own empty cache and config folders, so nothing from the user's Helm
setup (repositories, plugins) changes what is checked. Renders are cached per
(Helm, values file, Kubernetes version): the chart does not change during a run.
"""

from __future__ import annotations

import functools
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "tailgate"
SCENARIOS = sorted((CHART / "ci").glob("*-values.yaml"))
MANIFESTS = ROOT / "manifests"
#: The values manifests/ is rendered from, with this release name and namespace.
PLAIN_VALUES = CHART / "ci" / "plain-values.yaml"
RELEASE = "tailgate"
NAMESPACE = "tailgate"

HELMS = {
    "helm4": ROOT / ".tools" / "helm4" / "helm",
    "helm3": ROOT / ".tools" / "helm3" / "helm",
}
#: The oldest and newest Kubernetes minor versions the chart supports (docs/deploy.md).
KUBE_VERSIONS = ("1.29.0", "1.37.0")

Obj = dict[str, Any]


class HelmFailed(AssertionError):
    """Helm exited with an error; the message holds its output."""


@functools.cache
def _helm_home() -> str:
    return tempfile.mkdtemp(prefix="tailgate-helm-home-")


def helm(which: str, *args: str) -> str:
    """Run one of the Helm binaries; its stdout, or HelmFailed with its output."""
    binary = HELMS[which]
    if not binary.exists():
        raise HelmFailed(f"{binary} is missing: run `bash tests/setup.d/50-helm.sh`")
    home = _helm_home()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "HELM_CACHE_HOME": f"{home}/cache",
        "HELM_CONFIG_HOME": f"{home}/config",
        "HELM_DATA_HOME": f"{home}/data",
        "KUBECONFIG": "/dev/null",
    }
    done = subprocess.run(
        [str(binary), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    if done.returncode != 0:
        raise HelmFailed(f"helm {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@functools.cache
def render_text(
    values: Path | None,
    *,
    which: str = "helm4",
    kube_version: str | None = None,
    release: str = RELEASE,
    namespace: str = NAMESPACE,
) -> str:
    args = ["template", release, str(CHART), "--namespace", namespace]
    if values is not None:
        args += ["--values", str(values)]
    if kube_version is not None:
        args += ["--kube-version", kube_version]
    return helm(which, *args)


def render(values: Path | None, **kw: Any) -> list[Obj]:
    """The objects `helm template` renders (fresh copies: callers may change them)."""
    return [doc for doc in yaml.safe_load_all(render_text(values, **kw)) if doc]


def values_of(path: Path | None) -> Obj:
    """The chart's default values with ``path``'s values merged over them, as Helm does."""
    merged: Obj = yaml.safe_load((CHART / "values.yaml").read_text())
    if path is not None:
        _merge(merged, yaml.safe_load(path.read_text()) or {})
    return merged


def _merge(base: Obj, over: Obj) -> None:
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def scenario_id(path: Path) -> str:
    return path.name.removesuffix("-values.yaml")


@dataclass(frozen=True)
class Rendered:
    """One scenario's objects, with lookups by kind."""

    values_file: Path
    objects: tuple[Obj, ...]

    @property
    def values(self) -> Obj:
        return values_of(self.values_file)

    def of_kind(self, kind: str) -> list[Obj]:
        return [o for o in self.objects if o["kind"] == kind]

    def one(self, kind: str) -> Obj:
        (found,) = self.of_kind(kind)
        return found

    @property
    def deployment(self) -> Obj:
        return self.one("Deployment")

    @property
    def container(self) -> Obj:
        (container,) = self.deployment["spec"]["template"]["spec"]["containers"]
        return container

    @property
    def env(self) -> dict[str, str]:
        return {e["name"]: e.get("value", "") for e in self.container.get("env", [])}


def rendered(values_file: Path) -> Rendered:
    return Rendered(values_file, tuple(render(values_file)))
