"""The `Status` objects the API server answers with when something fails.

Every error the fake can return is built here, with the real server's reason, code and
message wording, so client code under test parses exactly what it will meet in a
cluster. Handlers raise `StatusError`; the server turns it into a JSON response (or,
inside a watch, into an ERROR event).
"""

from __future__ import annotations

from typing import Any


class StatusError(Exception):
    """A failed request, carrying the `Status` object to send back."""

    def __init__(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def not_found(resource: str, name: str) -> StatusError:
    return StatusError(
        404, "NotFound", f'{resource} "{name}" not found', {"name": name, "kind": resource}
    )


def no_such_route() -> StatusError:
    return StatusError(404, "NotFound", "the server could not find the requested resource", {})


def already_exists(resource: str, name: str) -> StatusError:
    return StatusError(
        409,
        "AlreadyExists",
        f'{resource} "{name}" already exists',
        {"name": name, "kind": resource},
    )


def conflict(resource: str, name: str) -> StatusError:
    return StatusError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {resource} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        {"name": name, "kind": resource},
    )


def bad_request(message: str) -> StatusError:
    return StatusError(400, "BadRequest", message)


def method_not_allowed() -> StatusError:
    return StatusError(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource",
        {},
    )


def invalid(kind: str, name: str, causes: list[tuple[str, str, str]]) -> StatusError:
    """422 Invalid; each cause is (field, cause reason, message such as `Required value`)."""
    summary = ", ".join(f"{field}: {message}" for field, _, message in causes)
    if len(causes) > 1:
        summary = f"[{summary}]"
    return StatusError(
        422,
        "Invalid",
        f'{kind} "{name}" is invalid: {summary}',
        {
            "name": name,
            "kind": kind,
            "causes": [
                {"reason": reason, "message": message, "field": field}
                for field, reason, message in causes
            ],
        },
    )


def forbidden(
    user: str,
    verb: str,
    resource: str,
    subresource: str,
    namespace: str,
    name: str,
    group: str = "",
) -> StatusError:
    """The authorizer's denial, worded like the RBAC authorizer's."""
    full = f"{resource}/{subresource}" if subresource else resource
    scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    qualified = f"{resource}.{group}" if group else resource
    who = f'{qualified} "{name}"' if name else qualified
    details: dict[str, Any] = {"kind": resource}
    if name:
        details = {"name": name, "kind": resource}
    return StatusError(
        403,
        "Forbidden",
        f'{who} is forbidden: User "{user}" cannot {verb} resource "{full}" '
        f'in API group "{group}" {scope}',
        details,
    )


def watch_expired(requested: int, oldest: int) -> StatusError:
    """Sent as an ERROR watch event when a watch starts before the compaction point."""
    return StatusError(410, "Expired", f"too old resource version: {requested} ({oldest})")


def list_expired() -> StatusError:
    return StatusError(410, "Expired", "The resourceVersion for the provided list is too old.")


def continue_expired() -> StatusError:
    return StatusError(
        410,
        "Expired",
        "The provided continue parameter is too old to display a consistent list result. "
        "You can start a new list without the continue parameter, or use the continue token "
        "in this response to retrieve the remainder of the results. Continuing with the "
        "provided token results in an inconsistent list - objects that were created, "
        "modified, or deleted between the time the first chunk was returned and now may "
        "show up in the list.",
    )


def too_large_resource_version(requested: int, current: int) -> StatusError:
    return StatusError(
        504,
        "Timeout",
        f"Too large resource version: {requested}, current: {current}",
        {
            "causes": [
                {"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}
            ],
            "retryAfterSeconds": 1,
        },
    )


def internal_error(detail: str = "etcdserver: request timed out") -> StatusError:
    """What the API server answers when something behind it failed (HTTP 500)."""
    return StatusError(
        500,
        "InternalError",
        f'an error on the server ("{detail}") has prevented the request from succeeding',
        {"causes": [{"reason": "UnexpectedServerResponse", "message": detail}]},
    )


def too_many_requests(retry_after: int) -> StatusError:
    """Priority and fairness turning a request away (HTTP 429, with Retry-After)."""
    return StatusError(
        429,
        "TooManyRequests",
        "the server has received too many requests and has asked us to try again later",
        {"retryAfterSeconds": retry_after},
    )
