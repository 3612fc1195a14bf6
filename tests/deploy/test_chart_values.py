"""Values: the schema refuses typos and wrong types, bad combinations fail with a reason,
and every key in values.yaml is documented inline (`# --`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .chart import CHART, HELMS, HelmFailed, render_text


def write_values(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "values.yaml"
    path.write_text(text)
    return path


OIDC = """
publicUrl: https://logs.example.com
auth:
  oidc: {issuer: https://sso.example.com, clientId: tailgate}
  clientSecret: s
"""


@pytest.mark.parametrize("which", sorted(HELMS))
@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ("replicaCont: 2\n", "replicaCont"),
        ("ingress:\n  enabled: true\n  host: logs.example.com\n", "host"),
        ("config:\n  port: '8080'\n", "port"),
        ("auth:\n  mode: anonymous\n", "mode"),
        ("auth:\n  sessionSecret: too-short\n", "sessionSecret"),
        ("ingress:\n  timeoutSeconds: 60\n", "timeoutSeconds"),
        (
            "fileLogs:\n  volumes:\n    - {name: logs, mountPath: /logs}\n",
            "volumes",
        ),
        ("podLogs:\n  namespaces: [Shop]\n", "namespaces"),
        ("catalog:\n  discover: [{namespaces: [shop], kinds: [Pod]}]\n", "kinds"),
        ("catalog:\n  discover: [{kinds: [Job]}]\n", "discover"),
    ],
    ids=[
        "misspelled-key",
        "unknown-nested-key",
        "string-for-integer",
        "unknown-auth-mode",
        "short-session-secret",
        "websocket-timeout-under-an-hour",
        "log-volume-without-a-source",
        "invalid-namespace",
        "discover-rule-of-an-unknown-kind",
        "discover-rule-without-namespaces",
    ],
)
def test_the_schema_refuses_bad_values_with_a_message_naming_them(
    tmp_path: Path, which: str, values: str, complaint: str
) -> None:
    with pytest.raises(HelmFailed) as info:
        render_text(write_values(tmp_path, OIDC + values), which=which)
    message = str(info.value)
    assert "schema" in message
    assert complaint in message


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ("", "auth.oidc.issuer is required"),
        (
            "auth: {oidc: {issuer: https://sso.example.com, clientId: t}, clientSecret: s}\n",
            "publicUrl is required",
        ),
        (
            "auth: {mode: none}\ningress: {enabled: true, hosts: [logs.example.com]}\n",
            "kubectl port-forward",
        ),
        ("auth: {mode: none}\nserviceMonitor: {enabled: true}\n", "Prometheus cannot scrape"),
        (OIDC + "terminationGracePeriodSeconds: 12\n", "must exceed"),
        (OIDC + "networkPolicy: {enabled: true}\n", "networkPolicy.apiServer.cidrs"),
        (OIDC + "catalog: {existingConfigMap: c, logs: [{id: a, file: /a}]}\n", "choose one"),
        (OIDC + "config: {defaultBacklog: 20000}\n", "defaultBacklog"),
        (
            OIDC + "catalog: {discover: [{namespaces: ['team-*']}]}\n",
            "their pod logs need podLogs.allNamespaces=true",
        ),
    ],
    ids=[
        "oidc-without-issuer",
        "oidc-without-public-url",
        "no-sign-in-behind-an-ingress",
        "no-sign-in-with-a-service-monitor",
        "grace-period-shorter-than-shutdown",
        "network-policy-without-api-server",
        "two-catalog-sources",
        "default-backlog-over-max",
        "discovery-by-glob-without-every-namespace",
    ],
)
def test_inconsistent_values_fail_with_a_reason(
    tmp_path: Path, values: str, complaint: str
) -> None:
    with pytest.raises(HelmFailed, match=re.escape(complaint)):
        render_text(write_values(tmp_path, values))


def test_every_values_key_is_documented_inline() -> None:
    undocumented = _undocumented_keys((CHART / "values.yaml").read_text())
    assert undocumented == [], "values without a `# --` comment above them (or their parent)"


def test_the_documentation_check_notices_an_undocumented_key() -> None:
    text = "# -- documented\na: 1\nparent:\n  # -- documented child\n  b: 2\n  c: 3\n"
    assert _undocumented_keys(text) == ["parent.c"]


_KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][\w.-]*):(?P<rest>.*)$")


def _undocumented_keys(text: str) -> list[str]:
    """Keys that have no `# --` comment block above them, nor a documented ancestor.

    A key whose value is a nested mapping needs no comment of its own when each of its
    children has one; a key documented as a whole covers everything below it.
    """
    lines = text.splitlines()
    keys: list[tuple[int, str, bool, bool]] = []  # (indent, path, documented, has children)
    stack: list[tuple[int, str, bool]] = []  # (indent, key, covered)
    for number, line in enumerate(lines):
        match = _KEY.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        indent = len(match["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        documented = _has_doc_comment(lines, number)
        covered = documented or bool(stack and stack[-1][2])
        path = ".".join([k for _, k, _ in stack] + [match["key"]])
        following = _next_key_indent(lines, number)
        has_children = match["rest"].strip() == "" and following > indent
        keys.append((indent, path, covered, has_children))
        stack.append((indent, match["key"], covered))
    return [path for _, path, covered, children in keys if not covered and not children]


def _has_doc_comment(lines: list[str], number: int) -> bool:
    above = number - 1
    while above >= 0 and lines[above].lstrip().startswith("#"):
        if lines[above].lstrip().startswith("# --"):
            return True
        above -= 1
    return False


def _next_key_indent(lines: list[str], number: int) -> int:
    for line in lines[number + 1 :]:
        stripped = line.lstrip()
        if stripped and not stripped.startswith("#"):
            return len(line) - len(stripped)
    return -1
