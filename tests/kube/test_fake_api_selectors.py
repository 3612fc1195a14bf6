"""Selector parsing and matching, without a server."""

from __future__ import annotations

import pytest

from .selectors import (
    POD_FIELDS,
    fields_match,
    labels_match,
    parse_field_selector,
    parse_label_selector,
)
from .statuses import StatusError


def labelled(**labels: str) -> dict[str, object]:
    return {"metadata": {"name": "p", "namespace": "ns", "labels": labels}}


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("", {}, True),
        ("app=api", {"app": "api"}, True),
        ("app==api", {"app": "web"}, False),
        ("app!=api", {}, True),
        ("app!=api", {"app": "api"}, False),
        ("app in (api, web)", {"app": "web"}, True),
        ("app in (api,web)", {}, False),
        ("app notin (api,web)", {}, True),
        ("app notin (api,web)", {"app": "db"}, True),
        ("tier", {"tier": ""}, True),
        ("!tier", {"tier": "x"}, False),
        ("app=api,tier in (a,b),!canary", {"app": "api", "tier": "b"}, True),
        ("app.kubernetes.io/name=tailgate", {"app.kubernetes.io/name": "tailgate"}, True),
        ("replicas>2", {"replicas": "3"}, True),
        ("replicas<2", {"replicas": "3"}, False),
    ],
)
def test_label_selectors_match_like_the_api_server(
    selector: str, labels: dict[str, str], expected: bool
) -> None:
    assert labels_match(parse_label_selector(selector), labelled(**labels)) is expected


@pytest.mark.parametrize("selector", ["app=", "=api", "app in (", "app in ()", "a b", "x>y"])
def test_malformed_label_selectors_are_bad_requests(selector: str) -> None:
    if selector == "app=":
        # An empty value is allowed: it selects objects whose label is empty.
        assert parse_label_selector(selector)
        return
    with pytest.raises(StatusError) as raised:
        parse_label_selector(selector)
    assert raised.value.code == 400


def test_field_selectors_compare_fields_as_strings() -> None:
    pod = {"metadata": {"name": "web", "namespace": "ns"}, "status": {"phase": "Running"}}
    assert fields_match(parse_field_selector("metadata.name=web", POD_FIELDS), pod)
    assert fields_match(parse_field_selector("status.phase!=Failed", POD_FIELDS), pod)
    assert not fields_match(
        parse_field_selector("metadata.name==web,metadata.namespace=other", POD_FIELDS), pod
    )


def test_an_unknown_field_label_is_refused_with_the_real_message() -> None:
    with pytest.raises(StatusError) as raised:
        parse_field_selector("spec.unknown=1", POD_FIELDS)
    assert raised.value.message == "field label not supported: spec.unknown"
