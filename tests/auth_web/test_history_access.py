"""Search and read-back follow the tails' access rules exactly, against the real provider."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from .conftest import Serve
from .web_user import WebUser

#: A tail cursor of the right shape; refusals come before it is ever resolved.
CURSOR = "f1.1.1.0.00000000"


async def test_without_a_session_search_and_lines_are_401(serve: Serve, user: WebUser) -> None:
    async with serve():
        for path in ("/api/logs/open/search?q=one", f"/api/logs/open/lines?before={CURSOR}"):
            response = await user.get(path)
            assert (response.status_code, response.json()["error"]) == (401, "not_signed_in")


async def test_a_user_may_search_and_read_only_the_logs_allow_lets_them_see(
    serve: Serve, user: WebUser, caplog: pytest.LogCaptureFixture
) -> None:
    async with serve():
        await user.sign_in("bob")
        with caplog.at_level(logging.INFO, logger="tailgate.audit"):
            refused = await user.get("/api/logs/ops/search?q=one")
            refused_lines = await user.get(f"/api/logs/ops/lines?before={CURSOR}")
            allowed = await user.get("/api/logs/dev/search?q=one")
        assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
        assert (refused_lines.status_code, refused_lines.json()["error"]) == (403, "forbidden")
        assert "one" not in refused.text
        assert allowed.status_code == 200
        assert [m["line"] for m in allowed.json()["matches"]] == ["dev one"]
        assert (await user.get("/api/logs/nope/search?q=one")).status_code == 404
        events: list[Any] = [
            r for r in caplog.records if getattr(r, "event", None) in ("search", "refused")
        ]
        assert [(r.event, r.user) for r in events] == [
            ("refused", "bob"),
            ("refused", "bob"),
            ("search", "bob"),
        ]
        assert events[2].log_id == "dev"
        assert events[2].q == "one"


async def test_a_filtered_tail_follows_the_same_rules_and_the_record_says_the_filter(
    serve: Serve, user: WebUser, caplog: pytest.LogCaptureFixture
) -> None:
    async with serve():
        await user.sign_in("bob")
        with caplog.at_level(logging.INFO, logger="tailgate.audit"):
            # Access is decided first: even a filter that cannot be applied learns nothing.
            for query in ("filter=one", "filter=(&regex=1"):
                refused = await user.tail(f"ops?{query}")
                assert (await refused.expect("error"))["code"] == "forbidden"
                await refused.expect_close(4403)
            allowed = await user.tail("dev?filter=ONE&backlog=10")
            await allowed.expect("hello")
            assert await allowed.read_lines(1) == ["dev one"]
            await allowed.close()
        started = [r for r in caplog.records if getattr(r, "event", None) == "tail_started"]
        assert [(r.log_id, r.filter["filter"]) for r in started] == [("dev", "ONE")]
