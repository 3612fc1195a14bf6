"""A tail lasts as long as the right to it: session expiry and catalog changes end it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.files import append_lines
from tests.support.tails import wait_for

from .conftest import RULES, Serve, catalog
from .web_user import WebUser


def replace_file(path: Path, text: str) -> None:
    """Write ``text`` the way editors save: a new file renamed over the old one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


async def test_a_tail_closes_with_4401_when_its_session_expires(
    serve: Serve, user: WebUser
) -> None:
    async with serve(session_max_age=2):
        await user.sign_in("alice")
        expires_at = (await user.get("/api/me")).json()["expires_at"]
        tail = await user.tail("open")
        await tail.expect("hello")
        reason = await tail.expect_close(4401, timeout=4)
        assert "expired" in reason
        # The cookie has expired with it: the API agrees.
        response = await user.get("/api/me")
        assert response.status_code == 401
        assert expires_at is not None


async def test_a_tail_closes_with_4403_when_the_catalog_withdraws_access(
    serve: Serve, user: WebUser, logs: dict[str, Path]
) -> None:
    async with serve() as server:
        await user.sign_in("alice")
        withdrawn = await user.tail("open")
        await withdrawn.expect("hello")
        kept = await user.tail("ops")
        await kept.expect("hello")
        await kept.read_lines(2)

        # Same source, new rule that leaves alice out.
        rules = {**RULES, "open": "{groups: [dev]}"}
        replace_file(server.catalog_path, catalog(logs, allow=rules))
        await withdrawn.expect_close(4403, timeout=1.0)

        listed = (await user.get("/api/logs")).json()["logs"]
        assert [log["id"] for log in listed] == ["ops"]
        append_lines(logs["ops"], ["ops three"])
        assert await kept.read_lines(3) == ["ops one", "ops two", "ops three"]
        await kept.close()


async def test_a_tail_that_keeps_access_is_left_alone_by_a_catalog_change(
    serve: Serve, user: WebUser, logs: dict[str, Path]
) -> None:
    async with serve() as server:
        await user.sign_in("bob")
        tail = await user.tail("dev")
        await tail.expect("hello")
        await tail.read_lines(2)
        rules = {**RULES, "dev": "{groups: [dev, ops]}", "open": "{groups: [ops]}"}
        replace_file(server.catalog_path, catalog(logs, allow=rules))
        reloads = "tailgate_catalog_reloads_total"
        # The first load counted one; this is the second.
        await wait_for(lambda: server.metric(reloads, result="ok") == 2)
        append_lines(logs["dev"], ["dev three"])
        assert await tail.read_lines(3) == ["dev one", "dev two", "dev three"]
        await tail.close()
