"""The chart's RBAC grants exactly what tailgate's Kubernetes requests need.

What is needed is read from the code, not from a list kept by hand: every public
method of ``KubeApi`` (service/tailgate/k8s/api.py, the only place that talks to the
API server) is called against a recording client, and each request it sends is turned
into the attributes the API server authorizes (verb, resource, subresource,
namespace, name), the way the API server's request-info resolver does. The
collection names those methods are given (``"pods"``, ``"configmaps"``) are collected
from their callers in the package, and discovery's from its own table of kinds
(``KIND_RESOURCES``). Where discovery asks is worked out by the code's own plan
(``watch_plan``) from the rules in the chart's values. Then, for every ci/ scenario,
the rendered Roles and ClusterRoles bound to tailgate's ServiceAccount must allow each
request where the service makes it, and grant nothing else.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tailgate.catalog.discovered import watch_plan
from tailgate.catalog.discovery import KIND_RESOURCES
from tailgate.catalog.model import WORKLOAD_KINDS, DiscoverRule, EventsSpec
from tailgate.events.event_stream import GROUP as EVENTS_GROUP
from tailgate.events.event_stream import field_selector as events_selector
from tailgate.k8s.api import KubeApi

from .chart import ROOT, SCENARIOS, Obj, Rendered, rendered, scenario_id

PACKAGE = ROOT / "service" / "tailgate"


@dataclass(frozen=True)
class Request:
    """One API request as RBAC sees it."""

    verb: str
    resource: str  # with its subresource: "pods/log"
    namespace: str  # "" for every namespace, or a cluster-scoped resource
    name: str | None  # None for a list or watch without a metadata.name field selector
    group: str = ""  # the API group: "" (core), "apps", "batch"


# -- what the code asks for -----------------------------------------------------------


class _Content:
    async def readany(self) -> bytes:
        return b""


class _Response:
    status = 200
    content = _Content()

    async def json(self, content_type: str | None = None) -> Obj:
        return {"items": [], "metadata": {"resourceVersion": "1"}}

    async def read(self) -> bytes:
        return b"{}"

    def close(self) -> None:
        pass


class RecordingClient:
    """Stands in for kubernetes_asyncio's ApiClient; records each ``call_api``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, list[tuple[str, str]]]] = []

    async def call_api(self, path: str, method: str, **kw: Any) -> _Response:
        self.calls.append((method, path, list(kw.get("query_params") or [])))
        return _Response()


def _constants(tree: ast.Module) -> dict[str, str]:
    """A module's top-level ``NAME = "text"`` assignments."""
    found = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            found[node.targets[0].id] = node.value.value
    return found


def _group(keyword: ast.keyword | None, constants: dict[str, str], where: str) -> str:
    """The API group a call passes, a literal or a module constant ("" when none)."""
    if keyword is None:
        return ""
    value = keyword.value
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    if isinstance(value, ast.Name) and value.id in constants:
        return constants[value.id]
    raise AssertionError(f"{where}: group= must be a literal or a module constant")


def _call_sites() -> set[tuple[str, str, str | None, str]]:
    """Each ``.list(...)``/``.watch(...)`` call in the package: (method, collection,
    selector kind, API group).

    The selector kind is ``field`` or ``label`` (or None). A field selector on
    ``metadata.name`` names the object, which is what lets RBAC's resourceNames apply.
    The group is the call's ``group=`` (a literal or a constant of its module), so a
    request in another API group is checked against a rule for that group.
    """
    sites = set()
    for source in PACKAGE.rglob("*.py"):
        tree = ast.parse(source.read_text())
        constants = _constants(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("list", "watch")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                keywords = {k.arg: k for k in node.keywords}
                selector = None
                if "field_selector" in keywords:
                    selector = "field"
                elif "label_selector" in keywords:
                    selector = "label"
                group = _group(keywords.get("group"), constants, f"{source}:{node.lineno}")
                sites.add((node.func.attr, node.args[0].value, selector, group))
    return sites


def _field_selectors() -> set[str]:
    """The constant start of every f-string field selector the package builds."""
    starts = set()
    for source in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if isinstance(first, ast.Constant) and str(first.value).startswith(
                    ("metadata.", "regarding.")
                ):
                    starts.add(str(first.value))
    return starts


_SELECTORS: dict[str | None, dict[str, str]] = {
    "field": {"field_selector": "metadata.name=one"},
    "label": {"label_selector": "app=x"},
    None: {},
}
#: events.k8s.io/v1 is narrowed by the object an Event is about, never by its own name.
_GROUP_SELECTORS: dict[tuple[str | None, str], dict[str, str]] = {
    ("field", EVENTS_GROUP): {
        "field_selector": events_selector(EventsSpec("ns", "Deployment", "web")) or ""
    },
}


def _selectors(kind: str | None, group: str) -> dict[str, str]:
    return _GROUP_SELECTORS.get((kind, group), _SELECTORS[kind])


async def _drain_watch(
    api: KubeApi, plural: str, selectors: dict[str, str], namespace: str = "ns", group: str = ""
) -> None:
    async with api.watch(
        plural, namespace, resource_version="1", group=group, **selectors
    ) as events:
        async for _ in events:
            pass


def _discovery_calls() -> list[Callable[[KubeApi], Awaitable[Any]]]:
    """What the mirrors of discovery ask: each kind in one namespace or in all, and the
    namespaces a selector matches (cluster-scoped)."""
    calls: list[Callable[[KubeApi], Awaitable[Any]]] = []
    for group, plural in KIND_RESOURCES.values():
        for namespace in ("ns", ""):
            calls.append(lambda api, p=plural, n=namespace, g=group: api.list(p, n, group=g))
            calls.append(lambda api, p=plural, n=namespace, g=group: _drain_watch(api, p, {}, n, g))
    label = _SELECTORS["label"]
    calls.append(lambda api: api.list("namespaces", "", **label))
    calls.append(lambda api: _drain_watch(api, "namespaces", label, ""))
    return calls


async def _open_and_close_log(api: KubeApi) -> None:
    stream = await api.open_log("ns", "pod", container="c", follow=True, tail_lines=1)
    stream.close()


def _listing(
    plural: str, selectors: dict[str, str], group: str
) -> Callable[[KubeApi], Awaitable[Any]]:
    return lambda api: api.list(plural, "ns", group=group, **selectors)


def _watching(
    plural: str, selectors: dict[str, str], group: str
) -> Callable[[KubeApi], Awaitable[Any]]:
    return lambda api: _drain_watch(api, plural, selectors, group=group)


def _exercises() -> dict[str, list[Callable[[KubeApi], Awaitable[Any]]]]:
    """How to call each public KubeApi method, in every form the package calls it."""
    sites = sorted(_call_sites(), key=str)
    return {
        "get_pod": [lambda api: api.get_pod("ns", "pod")],
        "list": [
            _listing(plural, _selectors(kind, group), group)
            for method, plural, kind, group in sites
            if method == "list"
        ],
        "watch": [
            _watching(plural, _selectors(kind, group), group)
            for method, plural, kind, group in sites
            if method == "watch"
        ],
        "create_event": [lambda api: api.create_event("ns", {"kind": "Event"})],
        "discovery": _discovery_calls(),
        "open_log": [_open_and_close_log],
    }


def _public_methods() -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(KubeApi)
        if not name.startswith("_") and callable(member)
    } | {"discovery"}


def _attributes(method: str, path: str, query: list[tuple[str, str]]) -> Request:
    """What the API server's request-info resolver makes of a request."""
    parts = path.strip("/").split("/")
    if parts[:2] == ["api", "v1"]:
        group, parts = "", parts[2:]
    else:
        assert parts[0] == "apis" and parts[2] == "v1", f"not an API path: {path}"
        group, parts = parts[1], parts[3:]
    if parts[0] == "namespaces" and len(parts) > 2:
        namespace, rest = parts[1], parts[2:]
    else:
        namespace, rest = "", parts  # every namespace, or the namespaces themselves
    params = dict(query)
    if len(rest) == 1:
        if method == "POST":
            return Request("create", rest[0], namespace, None, group)
        verb = "watch" if params.get("watch") in ("true", "1") else "list"
        selected = params.get("fieldSelector", "")
        name = None
        if selected.startswith("metadata.name="):
            name = selected.removeprefix("metadata.name=")
        return Request(verb, rest[0], namespace, name, group)
    verb = {"GET": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}[method]
    resource = "/".join([rest[0], *rest[2:3]])
    return Request(verb, resource, namespace, rest[1], group)


def requests_the_code_makes() -> set[Request]:
    assert _field_selectors() == {"metadata.name=", "regarding.kind=", "regarding.name="}, (
        "a field selector other than the name, or an Event's object"
    )
    exercises = _exercises()
    untaught = _public_methods() - set(exercises)
    assert not untaught, f"KubeApi has new methods; teach _exercises how to call them: {untaught}"
    client = RecordingClient()
    api = KubeApi(client)

    async def run() -> None:
        for calls in exercises.values():
            for call in calls:
                await call(api)

    asyncio.run(run())
    return {_attributes(method, path, query) for method, path, query in client.calls}


# -- what the chart grants ------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    namespace: str | None  # None: every namespace (a ClusterRoleBinding)
    rule: Obj


def grants(chart: Rendered) -> list[Grant]:
    """The rules bound to tailgate's ServiceAccount, with where they apply."""
    account = chart.deployment["spec"]["template"]["spec"]["serviceAccountName"]
    home = chart.deployment["metadata"]["namespace"]
    roles = {(r["metadata"]["namespace"], r["metadata"]["name"]): r for r in chart.of_kind("Role")}
    cluster_roles = {r["metadata"]["name"]: r for r in chart.of_kind("ClusterRole")}
    found = []
    for binding in chart.of_kind("RoleBinding") + chart.of_kind("ClusterRoleBinding"):
        subjects = binding["subjects"]
        if {"kind": "ServiceAccount", "name": account, "namespace": home} not in subjects:
            continue
        namespace = binding["metadata"].get("namespace")
        ref = binding["roleRef"]
        if ref["kind"] == "Role":
            role = roles[(namespace, ref["name"])]
        else:
            role = cluster_roles[ref["name"]]
        found += [Grant(namespace, rule) for rule in role["rules"]]
    return found


def allows(grant: Grant, request: Request) -> bool:
    """RBAC's rule matching: a Role's rules apply in its namespace only."""
    rule = grant.rule
    if grant.namespace not in (None, request.namespace):
        return False
    if not {request.group, "*"} & set(rule.get("apiGroups", [])):
        return False
    if not {request.verb, "*"} & set(rule.get("verbs", [])):
        return False
    if not {request.resource, "*"} & set(rule.get("resources", [])):
        return False
    names = rule.get("resourceNames")
    return not names or request.name in names


def where_the_service_asks(chart: Rendered, request: Request) -> Request:
    """``request`` as the deployed service makes it: its namespace and object name.

    The catalog reader lists and watches one ConfigMap and records Events beside it;
    pod sources read pods and their logs in the namespaces the catalog names.
    """
    home = chart.deployment["metadata"]["namespace"]
    catalog = chart.env["TAILGATE_CATALOG_CONFIGMAP"].split("/")[1]
    if request.resource == "configmaps":
        assert request.name is not None, "the catalog is always read by name"
        return Request(request.verb, request.resource, home, catalog)
    if request.resource == "events" and request.group == "":
        return Request(request.verb, request.resource, home, None)
    raise AssertionError(f"no rule in this test for where {request} is made")


def discover_rules(chart: Rendered) -> list[DiscoverRule]:
    """The chart's ``catalog.discover``, as the service reads it (only what RBAC needs)."""
    return [
        DiscoverRule(
            namespaces=tuple(rule.get("namespaces", ())),
            namespace_selector=rule.get("namespaceSelector"),
            kinds=tuple(k for k in WORKLOAD_KINDS if k in rule.get("kinds", WORKLOAD_KINDS)),
            events=rule.get("events", True),
        )
        for rule in chart.values["catalog"]["discover"]
    ]


_PLURAL_KINDS = {plural: kind for kind, (_, plural) in KIND_RESOURCES.items()}


def discovery_asks(chart: Rendered, request: Request) -> list[Request]:
    """Where the service's discovery makes ``request``, for the chart's rules."""
    plan = watch_plan(discover_rules(chart))
    if request.resource == "namespaces":
        return [request] if plan.namespace_selectors else []
    kind = _PLURAL_KINDS[request.resource]
    return [
        Request(request.verb, request.resource, namespace, None, request.group)
        for k, namespace in sorted(plan.workloads)
        if k == kind and (namespace == "") == (request.namespace == "")
    ]


def _everywhere(rule: DiscoverRule) -> bool:
    return rule.namespace_selector is not None or any(
        "*" in ns or "?" in ns for ns in rule.namespaces
    )


def event_log_namespaces(chart: Rendered) -> list[str]:
    """Where ``events`` entries, and the ``events`` companions of the workloads named
    rules take, list and watch events.k8s.io Events."""
    values = chart.values
    named = {
        entry["events"]["namespace"]
        for entry in values["catalog"]["logs"]
        if "events" in entry and not values["catalog"]["existingConfigMap"]
    }
    companions = {
        ns
        for rule in discover_rules(chart)
        if rule.events and not _everywhere(rule)
        for ns in rule.namespaces
    }
    return sorted(set(values["eventLogs"]["namespaces"]) | named | companions)


def events_everywhere(chart: Rendered) -> bool:
    """Some rule with companions takes workloads of namespaces known only in the cluster."""
    return any(rule.events and _everywhere(rule) for rule in discover_rules(chart))


def pod_log_namespaces(chart: Rendered) -> list[str]:
    values = chart.values
    named = {
        entry[form]["namespace"]
        for entry in values["catalog"]["logs"]
        for form in ("pod", "pods")
        if form in entry and not values["catalog"]["existingConfigMap"]
    }
    discovered = {ns for k, ns in watch_plan(discover_rules(chart)).workloads if ns}
    return sorted(set(values["podLogs"]["namespaces"]) | named | discovered)


scenarios = pytest.mark.parametrize("values", SCENARIOS, ids=scenario_id)


def test_the_recorded_requests_are_the_ones_docs_kubernetes_md_describes() -> None:
    needed = {(r.verb, r.resource, r.group) for r in requests_the_code_makes()}
    assert needed == {
        ("get", "pods", ""),
        ("list", "pods", ""),
        ("watch", "pods", ""),
        ("get", "pods/log", ""),
        ("list", "configmaps", ""),
        ("watch", "configmaps", ""),
        ("create", "events", ""),
        ("list", "events", "events.k8s.io"),
        ("watch", "events", "events.k8s.io"),
        ("list", "namespaces", ""),
        ("watch", "namespaces", ""),
        *(
            (verb, plural, group)
            for group, plural in KIND_RESOURCES.values()
            for verb in ("list", "watch")
        ),
    }


@scenarios
def test_every_request_the_code_makes_is_allowed_where_the_service_makes_it(
    values: Path,
) -> None:
    chart = rendered(values)
    granted = grants(chart)
    every_namespace = chart.values["podLogs"]["allNamespaces"]
    for request in requests_the_code_makes():
        if request.resource.startswith("pods"):
            namespaces = ["any-namespace"] if every_namespace else pod_log_namespaces(chart)
            asks = [
                Request(request.verb, request.resource, ns, request.name and "some-pod")
                for ns in namespaces
            ]
        elif request.resource == "namespaces" or request.resource in _PLURAL_KINDS:
            asks = discovery_asks(chart, request)
        elif request.group == EVENTS_GROUP:
            anywhere = ["any-namespace"] if events_everywhere(chart) else []
            asks = [
                Request(request.verb, request.resource, ns, None, request.group)
                for ns in event_log_namespaces(chart) + anywhere
            ]
        else:
            asks = [where_the_service_asks(chart, request)]
        for ask in asks:
            assert any(allows(g, ask) for g in granted), f"not allowed: {ask}"


@scenarios
def test_nothing_is_granted_beyond_those_requests(values: Path) -> None:
    chart = rendered(values)
    needed = {(r.verb, r.resource, r.group) for r in requests_the_code_makes()}
    every_namespace = chart.values["podLogs"]["allNamespaces"]
    home = chart.deployment["metadata"]["namespace"]
    plan = watch_plan(discover_rules(chart))
    for grant in grants(chart):
        rule = grant.rule
        (group,) = rule["apiGroups"]
        assert "*" not in rule["verbs"] and "*" not in rule["resources"], rule
        assert not rule.get("nonResourceURLs"), rule
        for resource in rule["resources"]:
            for verb in rule["verbs"]:
                assert (verb, resource, group) in needed, (
                    f"granted but never used: {verb} {resource} in {group!r}"
                )
            if resource in _PLURAL_KINDS:
                assert group == KIND_RESOURCES[_PLURAL_KINDS[resource]][0], rule
                where = grant.namespace or ""
                assert (_PLURAL_KINDS[resource], where) in plan.workloads, (grant, plan)
                continue
            if group == EVENTS_GROUP:
                if grant.namespace is None:
                    assert events_everywhere(chart), "cluster-wide Events were not asked for"
                else:
                    assert grant.namespace in event_log_namespaces(chart), grant
                continue
            assert group == "", rule
            if resource == "namespaces":
                assert grant.namespace is None and plan.namespace_selectors, grant
            elif resource.startswith("pods"):
                if grant.namespace is None:
                    assert every_namespace, "cluster-wide pod access was not asked for"
                else:
                    assert grant.namespace in pod_log_namespaces(chart), grant
            else:
                assert grant.namespace == home, f"{resource} outside tailgate's namespace"
            if resource == "configmaps":
                catalog = chart.env["TAILGATE_CATALOG_CONFIGMAP"].split("/")[1]
                assert rule["resourceNames"] == [catalog], "only the catalog ConfigMap"


@scenarios
def test_every_rbac_rule_says_why_it_is_there(values: Path) -> None:
    from .chart import render_text

    text = render_text(values)
    for document in text.split("\n---\n"):
        if "\nkind: Role\n" in document or "\nkind: ClusterRole\n" in document:
            lines = document.splitlines()
            for number, line in enumerate(lines):
                if line.strip().startswith("- apiGroups:"):
                    assert lines[number - 1].strip().startswith("#"), f"uncommented rule: {line}"


def test_the_request_reading_agrees_with_kubernetes_on_a_few_known_paths() -> None:
    assert _attributes("GET", "/api/v1/namespaces/a/pods/p/log", []) == Request(
        "get", "pods/log", "a", "p"
    )
    assert _attributes("GET", "/api/v1/namespaces/a/configmaps", [("watch", "true")]) == Request(
        "watch", "configmaps", "a", None
    )
    assert _attributes(
        "GET", "/api/v1/namespaces/a/configmaps", [("fieldSelector", "metadata.name=c")]
    ) == Request("list", "configmaps", "a", "c")
    assert _attributes("POST", "/api/v1/namespaces/a/events", []) == Request(
        "create", "events", "a", None
    )
    assert dict(parse_qsl("watch=true")) == {"watch": "true"}
