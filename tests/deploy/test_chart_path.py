"""The Ingress and HTTPRoute route the path tailgate serves below: its public URL's path."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .chart import SCENARIOS, HelmFailed, Obj, render, render_text, scenario_id

OIDC = """
auth:
  oidc: {issuer: https://sso.example.com, clientId: tailgate}
  clientSecret: s
"""


def write_values(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "values.yaml"
    path.write_text(OIDC + text)
    return path


def public_url(objects: list[Obj]) -> str | None:
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    return env.get("TAILGATE_PUBLIC_URL")


def routed_paths(objects: list[Obj]) -> list[tuple[str, str]]:
    """(kind, path) of every Ingress path and HTTPRoute match."""
    paths = []
    for obj in objects:
        if obj["kind"] == "Ingress":
            for rule in obj["spec"]["rules"]:
                paths += [("Ingress", p["path"]) for p in rule["http"]["paths"]]
        if obj["kind"] == "HTTPRoute":
            for route_rule in obj["spec"]["rules"]:
                paths += [("HTTPRoute", m["path"]["value"]) for m in route_rule["matches"]]
    return paths


@pytest.mark.parametrize("values", SCENARIOS, ids=scenario_id)
def test_every_route_sends_the_public_urls_path_unchanged(values: Path) -> None:
    objects = render(values)
    url = public_url(objects)
    expected = (urlsplit(url).path.rstrip("/") if url else "") or "/"
    for kind, path in routed_paths(objects):
        assert path == expected, (kind, path, url)
    for obj in objects:
        # No rewrite: tailgate must see the path the browser asked for.
        annotations = obj["metadata"].get("annotations") or {}
        assert not [a for a in annotations if "rewrite" in a], obj["metadata"]["name"]


def test_the_all_features_scenario_is_served_below_a_path() -> None:
    (values,) = [v for v in SCENARIOS if scenario_id(v) == "all-features"]
    objects = render(values)
    assert public_url(objects) == "https://tools.example.com/logs"
    assert routed_paths(objects) == [("Ingress", "/logs"), ("HTTPRoute", "/logs")]


def test_an_ingress_path_without_a_public_url_goes_into_the_derived_one(tmp_path: Path) -> None:
    objects = render(
        write_values(
            tmp_path,
            "ingress:\n  enabled: true\n  hosts: [tools.example.com]\n  path: /logs/\n"
            "  tls: [{secretName: t, hosts: [tools.example.com]}]\n",
        )
    )
    assert public_url(objects) == "https://tools.example.com/logs"
    assert routed_paths(objects) == [("Ingress", "/logs")]


def test_the_ingress_path_follows_the_public_url_when_not_given(tmp_path: Path) -> None:
    objects = render(
        write_values(
            tmp_path,
            "publicUrl: https://tools.example.com/team/logs/\n"
            "ingress:\n  enabled: true\n  hosts: [tools.example.com]\n",
        )
    )
    assert public_url(objects) == "https://tools.example.com/team/logs"
    assert routed_paths(objects) == [("Ingress", "/team/logs")]


def test_an_ingress_path_other_than_the_public_urls_is_refused(tmp_path: Path) -> None:
    values = write_values(
        tmp_path,
        "publicUrl: https://tools.example.com/logs\n"
        "ingress:\n  enabled: true\n  hosts: [tools.example.com]\n  path: /\n",
    )
    with pytest.raises(HelmFailed, match=r"ingress\.path \(/\) must be the path of publicUrl"):
        render_text(values)


@pytest.mark.parametrize(
    "values",
    [
        "ingress:\n  path: logs\n",
        "ingress:\n  path: /logs/../admin/x y\n",
        "publicUrl: https://tools.example.com/logs?x=1\n",
        "publicUrl: https://tools.example.com/a b\n",
    ],
    ids=["relative-ingress-path", "ingress-path-with-a-space", "query", "space-in-path"],
)
def test_the_schema_refuses_a_path_tailgate_would_not_serve(tmp_path: Path, values: str) -> None:
    with pytest.raises(HelmFailed, match="schema"):
        render_text(write_values(tmp_path, values))
