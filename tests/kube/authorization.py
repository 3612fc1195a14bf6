"""Which requests the fake refuses, and the RBAC-style 403 it refuses them with.

Everything is allowed until a test forbids a (verb, resource, namespace) triple, which
lets a test see how the service reacts to a ServiceAccount that lacks a permission.
"""

from __future__ import annotations

from dataclasses import dataclass

from .statuses import forbidden


@dataclass(frozen=True)
class Rule:
    verb: str  # get, list, watch, create
    resource: str  # "pods", "pods/log", "configmaps", "events", "deployments", ...
    namespace: str | None  # None: every namespace
    name: str | None  # None: every name


class Authorizer:
    def __init__(self, user: str):
        self.user = user
        self._denied: set[Rule] = set()

    def forbid(
        self, verb: str, resource: str, namespace: str | None = None, name: str | None = None
    ) -> None:
        self._denied.add(Rule(verb, resource, namespace, name))

    def allow_all(self) -> None:
        self._denied.clear()

    def check(
        self,
        verb: str,
        resource: str,
        subresource: str,
        namespace: str,
        name: str,
        group: str = "",
    ) -> None:
        full = f"{resource}/{subresource}" if subresource else resource
        for rule in self._denied:
            if (
                rule.verb == verb
                and rule.resource == full
                and rule.namespace in (None, namespace)
                and rule.name in (None, name)
            ):
                raise forbidden(self.user, verb, resource, subresource, namespace, name, group)
