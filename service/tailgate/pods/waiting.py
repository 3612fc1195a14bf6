"""Waiting without spinning: for one pod to change.

When a log cannot be read yet (the pod does not exist, its container is still
starting, or it exited), the reader waits for the pod to change by watching it
rather than polling; watches that end without news, and failed requests, are
retried after a growing, jittered pause (``tailgate.backoff``).
"""

from __future__ import annotations

from ..k8s.api import KubeApi
from ..k8s.errors import Gone

#: A watch for one pod's change ends after this long and the pod is read again.
POD_WATCH_SECONDS = 60


async def wait_for_pod_change(
    api: KubeApi, namespace: str, name: str, resource_version: str | None
) -> bool:
    """Wait until pod ``name`` changes after ``resource_version`` (or appears, if None).

    True when something changed; False when the watch ended without news (the caller
    reads the pod again, after a pause).
    """
    field = f"metadata.name={name}"
    if resource_version is None:
        items, resource_version = await api.list("pods", namespace, field_selector=field)
        if items:
            return True
    try:
        async with api.watch(
            "pods",
            namespace,
            resource_version=resource_version,
            field_selector=field,
            timeout_seconds=POD_WATCH_SECONDS,
        ) as events:
            async for event in events:
                if event.type != "BOOKMARK":
                    return True
    except Gone:
        return True
    return False
