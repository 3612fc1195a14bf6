"""The ``idp_outage`` soak scenario, short: a frozen provider loses no line and no session."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.soak import idp_outage

from tests.auth.provider import node_available

pytestmark = pytest.mark.skipif(not node_available(), reason="the test OIDC provider is missing")


async def test_a_frozen_provider_holds_up_no_request_and_loses_no_line(tmp_path: Path) -> None:
    figures = await idp_outage.run(tmp_path, quick=True)
    assert figures["lost"] == 0
    assert figures["duplicated"] == 0
    assert figures["out_of_order"] == 0
    assert figures["still_signed_in"] is True
    answers = figures["api_answers"]
    assert isinstance(answers, dict)
    # The pane was answered during the outage, and only with 200s.
    assert set(answers["outage"]) == {"200"}
    assert figures["login_during_outage"] == 503
    assert figures["sign_in_after"] == 303
    closes = figures["tail_closes"]
    assert isinstance(closes, dict) and "4401" not in closes
