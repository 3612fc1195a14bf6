"""Retry pauses: growing, jittered so streams do not retry in lockstep, and Retry-After."""

from __future__ import annotations

import random

from tailgate.backoff import RETRY_AFTER_CEILING, Backoff
from tailgate.k8s.errors import KubeUnavailable, error_for, retry_after


def test_pauses_grow_to_the_ceiling_each_within_half_to_all_of_its_step() -> None:
    backoff = Backoff(first=0.1, ceiling=1.0).retries(random.Random(1))
    steps = [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    for step in steps:
        assert step / 2 <= backoff.next_delay() <= step
    backoff.reset()
    assert backoff.next_delay() <= 0.1


def test_streams_retrying_after_one_outage_do_not_move_in_lockstep() -> None:
    streams = [Backoff().retries(random.Random(seed)) for seed in range(20)]
    for _ in range(5):
        delays = [b.next_delay() for b in streams]
        assert len({round(d, 6) for d in delays}) > 15


def test_retry_after_is_waited_for_at_least_and_capped() -> None:
    backoff = Backoff().retries(random.Random(2))
    assert backoff.next_delay(at_least=3.0) == 3.0
    assert backoff.next_delay(at_least=10_000.0) == RETRY_AFTER_CEILING
    assert retry_after("2") == 2.0 and retry_after("soon") == 0.0 and retry_after(None) == 0.0
    assert retry_after("-5") == 0.0


def test_a_429_carries_the_wait_the_api_server_asked_for() -> None:
    body = b'{"kind":"Status","reason":"TooManyRequests","message":"try again later","code":429}'
    error = error_for(429, body, what="listing pods in shop", wait=2.0)
    assert isinstance(error, KubeUnavailable) and error.retry_after == 2.0
    assert "429" in str(error)
