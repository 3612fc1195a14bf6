"""The ``session_refresh`` soak scenario, short: nobody is signed out, no spent token is sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.soak import session_refresh

from tests.auth.provider import node_available

pytestmark = pytest.mark.skipif(not node_available(), reason="the test OIDC provider is missing")


async def test_panes_and_tails_on_two_replicas_never_sign_the_user_out(tmp_path: Path) -> None:
    figures = await session_refresh.run(tmp_path, quick=True)
    assert figures["refused"] == 0, figures
    assert figures["signed_out"] is False, figures
    assert figures["provider_reuse_detected"] == 0, figures
    assert isinstance(figures["provider_refreshes"], int) and figures["provider_refreshes"] >= 2
    assert figures["ok"] == figures["requests"], figures
