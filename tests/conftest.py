"""Every asynchronous test fails when it leaves asyncio tasks running behind it.

A task nobody awaits is a reader that outlives its tail, a stream left open, a timer
that fires after its owner is gone: the service promises that closing a tail stops
its reading at once, so the tests hold every task to the same rule. The end-to-end
tests share one event loop for the whole session and use ``tasks_left`` the same way
(tests/e2e/conftest.py).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator

import pytest

#: How long the tasks of a finished test may take to unwind (tries of 10 ms).
UNWIND_TRIES = 100


async def fail_on_tasks_left(before: set[asyncio.Task[object]]) -> None:
    """Fail the test if tasks started since ``before`` are still running after a moment."""
    current = asyncio.current_task()
    leaked: list[asyncio.Task[object]] = []
    for _ in range(UNWIND_TRIES):
        leaked = [t for t in asyncio.all_tasks() - before if t is not current and not t.done()]
        if not leaked:
            return
        await asyncio.sleep(0.01)
    names = ", ".join(t.get_name() + ":" + repr(t.get_coro()) for t in leaked)
    pytest.fail(f"tasks left running: {names}")


@pytest.fixture(autouse=True)
async def no_leaked_tasks(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    if not inspect.iscoroutinefunction(request.function):
        yield
        return
    before = set(asyncio.all_tasks())
    yield
    await fail_on_tasks_left(before)
