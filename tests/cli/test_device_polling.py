"""RFC 8628 polling as the terminal client does it: the pure rules, from a table."""

from __future__ import annotations

import pytest

from tailgate.client.device_flow import after_poll, device_code_from
from tailgate.client.exits import ClientError, Exit


@pytest.mark.parametrize(
    ("error", "interval", "after"),
    [
        ("authorization_pending", 5.0, 5.0),
        ("slow_down", 5.0, 10.0),
        ("slow_down", 1.0, 6.0),
        ("slow_down", 58.0, 60.0),
    ],
)
def test_pending_keeps_the_interval_and_slow_down_adds_five_seconds(
    error: str, interval: float, after: float
) -> None:
    assert after_poll(error, interval) == after


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        ("access_denied", Exit.SIGN_IN_NEEDED, "refused at the identity provider"),
        ("expired_token", Exit.SIGN_IN_NEEDED, "the code expired"),
        ("invalid_client", Exit.FAILED, "refused the sign-in: invalid_client"),
    ],
)
def test_other_answers_stop_polling(error: str, code: Exit, message: str) -> None:
    with pytest.raises(ClientError, match=message) as caught:
        after_poll(error, 5.0)
    assert caught.value.code is code


def test_a_device_code_without_interval_polls_every_five_seconds() -> None:
    code = device_code_from(
        {
            "device_code": "d",
            "user_code": "ABCD-EFGH",
            "verification_uri": "https://id.example.com/device",
            "expires_in": 600,
        }
    )
    assert (code.interval, code.expires_in, code.verification_uri_complete) == (5.0, 600.0, None)


@pytest.mark.parametrize("interval", [0, -3, 10_000, True, "5"])
def test_an_interval_out_of_reason_is_bounded_or_ignored(interval: object) -> None:
    code = device_code_from(
        {
            "device_code": "d",
            "user_code": "U",
            "verification_url": "https://id.example.com/device",
            "expires_in": 60,
            "interval": interval,
        }
    )
    assert 0.5 <= code.interval <= 60


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"device_code": "d", "user_code": "U", "verification_uri": "u"},
        {"device_code": "d", "user_code": "U", "verification_uri": "u", "expires_in": 0},
        {"device_code": "d", "user_code": "", "verification_uri": "u", "expires_in": 60},
    ],
)
def test_an_incomplete_device_answer_is_refused(answer: dict[str, object]) -> None:
    with pytest.raises(ClientError):
        device_code_from(answer)
