"""Every refusal names its whole answer in the one error hierarchy."""

from __future__ import annotations

import pytest

from tailgate.auth import errors as auth_errors
from tailgate.errors import (
    BadRequest,
    CloseCode,
    HostNotAllowed,
    OriginNotAllowed,
    Refusal,
    ShuttingDown,
    TailgateError,
    TooManyTails,
    UnknownLog,
)


def refusals(base: type[Refusal] = Refusal) -> list[type[Refusal]]:
    found = []
    for kind in base.__subclasses__():
        found.append(kind)
        found.extend(refusals(kind))
    return found


@pytest.mark.parametrize(
    ("kind", "status", "close_code", "code"),
    [
        (UnknownLog, 404, 4404, "unknown_log"),
        (TooManyTails, 429, 4429, "too_many_tails"),
        (OriginNotAllowed, 403, 1008, "origin_not_allowed"),
        (HostNotAllowed, 403, 1008, "host_not_allowed"),
        (ShuttingDown, 503, 1001, "shutting_down"),
        (BadRequest, 400, 1008, "bad_request"),
        (auth_errors.NotSignedIn, 401, 4401, "not_signed_in"),
        (auth_errors.SessionExpired, 401, 4401, "session_expired"),
        (auth_errors.TokenInvalid, 401, 4401, "token_invalid"),
        (auth_errors.SessionTooLarge, 500, 4401, "session_too_large"),
        (auth_errors.AccessDenied, 403, 4403, "forbidden"),
        (auth_errors.ProviderUnavailable, 503, 1013, "provider_unavailable"),
        (auth_errors.SessionUnconfirmed, 503, 1013, "session_unconfirmed"),
    ],
)
def test_each_refusal_carries_its_status_close_code_and_code(
    kind: type[Refusal], status: int, close_code: int, code: str
) -> None:
    assert (kind.status, kind.close_code, kind.code) == (status, close_code, code)


def test_every_refusal_answers_with_an_error_status_and_a_protocol_close_code() -> None:
    kinds = refusals()
    assert auth_errors.AuthError in kinds
    for kind in kinds:
        assert 400 <= kind.status < 600, kind
        assert kind.close_code in set(CloseCode), kind
        assert kind.code and kind.message, kind


def test_the_sign_in_errors_hang_under_the_one_hierarchy() -> None:
    assert issubclass(auth_errors.AuthError, Refusal)
    assert issubclass(Refusal, TailgateError)


def test_a_tail_refusal_tells_the_person_what_it_was_raised_with() -> None:
    refused = UnknownLog("there is no log with ID 'x'")
    assert refused.message == refused.detail == str(refused) == "there is no log with ID 'x'"


def test_a_sign_in_refusal_keeps_its_sentence_and_logs_the_detail() -> None:
    refused = auth_errors.TokenExpired("exp 1700000000 is past")
    assert refused.message == "The sign-in token has expired."
    assert refused.detail == "exp 1700000000 is past"
    assert auth_errors.TokenExpired().detail == refused.message
