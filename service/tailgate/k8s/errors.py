"""What can go wrong talking to the API server, as tailgate's own errors.

The client layer turns every HTTP status and ``Status`` object into one of these, so
the rest of the service never sees kubernetes_asyncio or aiohttp exceptions. Each
carries the ``code`` used in error frames and metrics::

    SourceError (tailgate.errors)
    ├── SourceUnavailable                 for now; the tail waits and retries
    │   ├── KubeUnavailable               api_unavailable: unreachable, 5xx, timeouts
    │   ├── NotFound                      not_found
    │   │   └── PodNotFound               pod_not_found
    │   └── ContainerWaiting              container_waiting
    └── SourceFailed                      for good; the tail closes with 1011
        ├── KubeForbidden                 forbidden: RBAC denied a request
        ├── ContainerRequired             container_required / container_not_found
        ├── NoPreviousContainer           no_previous_container
        ├── KubeConfigMissing             kube_config: no in-cluster or kubeconfig setup
        └── KubeRequestFailed             kube_error: any other refusal
    Gone                                  410 Expired: a watch or list must start over
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import SourceFailed, SourceUnavailable, TailgateError


class KubeUnavailable(SourceUnavailable):
    code = "api_unavailable"
    #: Seconds the API server asked to wait (``Retry-After``), if it said.
    retry_after: float = 0.0


class NotFound(SourceUnavailable):
    code = "not_found"


class PodNotFound(NotFound):
    code = "pod_not_found"


class ContainerWaiting(SourceUnavailable):
    code = "container_waiting"


class KubeForbidden(SourceFailed):
    code = "forbidden"


class ContainerRequired(SourceFailed):
    code = "container_required"


class NoPreviousContainer(SourceFailed):
    code = "no_previous_container"


class KubeConfigMissing(SourceFailed):
    code = "kube_config"


class KubeRequestFailed(SourceFailed):
    code = "kube_error"


class Gone(TailgateError):
    """410: the resourceVersion is too old; list again and watch from the new one."""


_FORBIDDEN = re.compile(r'cannot (\w+) resource "([^"]+)" in API group "[^"]*" (.*)$')


def status_message(body: bytes | str) -> tuple[str, str]:
    """(reason, message) from a Status JSON body, or ("", the text) if it is not one."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        return "", text.strip()[:300]
    if isinstance(data, dict):
        return str(data.get("reason", "")), str(data.get("message", ""))
    return "", str(data)[:300]


def retry_after(value: str | None) -> float:
    """Seconds from a ``Retry-After`` header (the API server sends whole seconds)."""
    try:
        seconds = float(value or 0)
    except ValueError:
        return 0.0
    return seconds if 0 < seconds < 86400 else 0.0


def error_for(
    status: int,
    body: bytes | str,
    *,
    what: str,
    missing: type[NotFound] = NotFound,
    wait: float = 0.0,
) -> TailgateError:
    """Our error for a failed request; ``what`` says what was asked, for the message,
    ``wait`` what ``Retry-After`` said."""
    reason, message = status_message(body)
    if status == 410:
        return Gone(f"{what}: {message or 'resource version expired'}")
    if status == 403:
        return KubeForbidden(forbidden_message(message, what))
    if status == 401:
        return KubeForbidden(f"{what}: the API server did not accept tailgate's credentials")
    if status == 404:
        return missing(f"{what}: {message or 'not found'}")
    if status == 400 and "a container name must be specified" in message:
        choices = message.split("choose one of:", 1)[-1].strip() if "choose" in message else ""
        hint = f"; choose one of {choices} with 'container:' in the catalog" if choices else ""
        return ContainerRequired(f"{what}: the pod has several containers{hint}")
    if status == 400 and "is not valid for pod" in message:
        return ContainerRequired(f"{what}: {message}", code="container_not_found")
    if status == 400 and "waiting to start" in message:
        return ContainerWaiting(f"{what}: {message}")
    if status == 400 and "previous terminated container" in message:
        return NoPreviousContainer(f"{what}: {message}")
    if status >= 500 or status == 429:
        error = KubeUnavailable(f"{what}: the API server answered {status} {message}".strip())
        error.retry_after = wait
        return error
    return KubeRequestFailed(f"{what}: {status} {reason} {message}".strip())


def forbidden_message(message: str, what: str) -> str:
    """Say which permission is missing, in RBAC terms an operator can grant."""
    match = _FORBIDDEN.search(message)
    if match is None:
        return f"{what}: forbidden by the API server: {message}"
    verb, resource, scope = match.groups()
    return (
        f"{what}: forbidden: tailgate's service account lacks '{verb}' on '{resource}' "
        f"{scope} (add it to the Role; see docs/kubernetes.md)"
    )
