"""The pod the chart runs: locked down, shut down in time, and configured in a way the
service itself accepts (its own settings loaders read the rendered environment)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
import yaml

from tailgate.settings import load_settings

from .chart import ROOT, SCENARIOS, Obj, Rendered, rendered, scenario_id

scenarios = pytest.mark.parametrize("values", SCENARIOS, ids=scenario_id)


def _service_env_names() -> set[str]:
    """Every TAILGATE_* variable named in the service's code, with its _FILE variant."""
    names = set()
    for source in (ROOT / "service" / "tailgate").rglob("*.py"):
        names |= set(re.findall(r"\bTAILGATE_[A-Z_]+[A-Z]\b", source.read_text()))
    return names | {f"{name}_FILE" for name in names}


@scenarios
def test_the_pod_meets_the_restricted_pod_security_standard(values: Path) -> None:
    chart = rendered(values)
    pod = chart.deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert "hostNetwork" not in pod and "hostPID" not in pod
    context = chart.container["securityContext"]
    assert context["allowPrivilegeEscalation"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["runAsNonRoot"] is True
    assert context["runAsUser"] != 0
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}


@scenarios
def test_only_tmp_is_writable_and_log_volumes_are_mounted_read_only(values: Path) -> None:
    chart = rendered(values)
    pod = chart.deployment["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    writable = [m for m in chart.container["volumeMounts"] if not m.get("readOnly")]
    assert [(m["name"], m["mountPath"]) for m in writable] == [("tmp", "/tmp")]
    assert "emptyDir" in volumes["tmp"]
    for volume in volumes.values():
        if "persistentVolumeClaim" in volume:
            assert volume["persistentVolumeClaim"]["readOnly"] is True


@scenarios
def test_kubernetes_waits_longer_than_tailgate_takes_to_close_its_tails(values: Path) -> None:
    chart = rendered(values)
    pod = chart.deployment["spec"]["template"]["spec"]
    pre_stop = chart.container["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    grace = float(chart.env["TAILGATE_SHUTDOWN_GRACE"])
    # The service itself waits grace + 1 s for its runner before it gives up.
    assert pod["terminationGracePeriodSeconds"] > int(pre_stop[1]) + grace + 1


@scenarios
def test_the_service_accepts_the_environment_the_chart_gives_it(
    values: Path, tmp_path: Path
) -> None:
    chart = rendered(values)
    env = dict(chart.env)
    unknown = {n for n in env if n.startswith("TAILGATE_")} - _service_env_names()
    assert unknown == set(), "variables the service never reads"
    namespace, name = env["TAILGATE_CATALOG_CONFIGMAP"].split("/")
    assert (namespace, name) == (
        chart.deployment["metadata"]["namespace"],
        _catalog_configmap_name(chart),
    )
    if env["TAILGATE_AUTH"] == "oidc":
        mounts = {m["name"]: m["mountPath"] for m in chart.container["volumeMounts"]}
        for variable in ("TAILGATE_OIDC_CLIENT_SECRET_FILE", "TAILGATE_SESSION_SECRET_FILE"):
            assert Path(env[variable]).parent == Path(mounts["secrets"])
        env.update(_secret_files(chart, env, tmp_path))
    else:
        assert env["TAILGATE_HOST"] == "127.0.0.1"
    settings = load_settings({}, env)
    assert settings.auth == chart.values["auth"]["mode"]
    assert settings.catalog_configmap == f"{namespace}/{name}"
    assert settings.port == chart.container["ports"][0]["containerPort"]
    # Files are read only under the log volumes the chart mounts.
    volumes = chart.values["fileLogs"]["volumes"]
    assert settings.file_roots == tuple(v["mountPath"] for v in volumes)


@scenarios
def test_probes_check_healthz_and_readyz(values: Path) -> None:
    chart = rendered(values)
    liveness, readiness = chart.container["livenessProbe"], chart.container["readinessProbe"]
    if chart.env["TAILGATE_AUTH"] == "oidc":
        assert liveness["httpGet"] == {"path": "/healthz", "port": "http"}
        assert readiness["httpGet"] == {"path": "/readyz", "port": "http"}
    else:
        port = chart.env["TAILGATE_PORT"]
        assert f"http://127.0.0.1:{port}/healthz" in " ".join(liveness["exec"]["command"])
        assert f"http://127.0.0.1:{port}/readyz" in " ".join(readiness["exec"]["command"])


@scenarios
def test_secrets_reach_the_pod_as_files_and_never_through_a_configmap_or_the_pod_spec(
    values: Path,
) -> None:
    chart = rendered(values)
    secrets = [
        base64.b64decode(v).decode()
        for s in chart.of_kind("Secret")
        for v in s.get("data", {}).values()
    ]
    visible = yaml.dump([o for o in chart.objects if o["kind"] != "Secret"])
    for secret in secrets:
        assert secret not in visible
    assert not [e for e in chart.container["env"] if e["name"].endswith("SECRET")]


@scenarios
def test_the_ingress_keeps_quiet_websockets_open_for_over_an_hour(values: Path) -> None:
    chart = rendered(values)
    for ingress in chart.of_kind("Ingress"):
        annotations = ingress["metadata"]["annotations"]
        for name in ("proxy-read-timeout", "proxy-send-timeout"):
            assert int(annotations[f"nginx.ingress.kubernetes.io/{name}"]) > 3600


@scenarios
def test_the_helm_test_pod_checks_readyz_and_is_never_a_service_endpoint(values: Path) -> None:
    chart = rendered(values)
    service = chart.one("Service")
    for pod in chart.of_kind("Pod"):
        assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
        assert "/readyz" in " ".join(pod["spec"]["containers"][0]["command"])
        labels = pod["metadata"]["labels"]
        assert not service["spec"]["selector"].items() <= labels.items()
        assert pod["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"]


def test_without_sign_in_nothing_outside_the_pod_can_connect() -> None:
    (values,) = [p for p in SCENARIOS if scenario_id(p) == "port-forward"]
    chart = rendered(values)
    assert chart.env["TAILGATE_HOST"] == "127.0.0.1"
    assert not chart.of_kind("Ingress") and not chart.of_kind("HTTPRoute")
    assert not chart.of_kind("Pod"), "a helm test pod could not reach 127.0.0.1"


def _catalog_configmap_name(chart: Rendered) -> str:
    existing = chart.values["catalog"]["existingConfigMap"]
    if existing:
        return str(existing)
    (configmap,) = [c for c in chart.of_kind("ConfigMap") if "logs.yaml" in c["data"]]
    return str(configmap["metadata"]["name"])


def _secret_files(chart: Rendered, env: dict[str, str], folder: Path) -> dict[str, str]:
    """The _FILE variables pointed at local copies of what the Secret volume would hold."""
    data: Obj = {}
    for secret in chart.of_kind("Secret"):
        data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    paths = {}
    for name in ("TAILGATE_OIDC_CLIENT_SECRET_FILE", "TAILGATE_SESSION_SECRET_FILE"):
        key = Path(env[name]).name
        local = folder / key
        # With an existing Secret, stand in for it with a value of an acceptable length.
        local.write_text(data.get(key, "x" * 64))
        paths[name] = str(local)
    return paths
