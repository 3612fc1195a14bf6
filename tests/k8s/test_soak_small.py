"""Small runs of the pod soak scenarios: real tailgate processes, the fake in its own.

The full scenarios (``make soak``) run for minutes; these run a few seconds of the
same code, so a change that loses or repeats pod lines under API faults, or across
a replica killed under its viewer, fails ``make test`` too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.soak import failover, pod_faults

pytestmark = pytest.mark.slow


async def test_every_pod_line_arrives_once_while_the_api_server_misbehaves(
    tmp_path: Path,
) -> None:
    figures = await pod_faults.measure(tmp_path, seconds=4.0, pods=2, rate=60.0)
    assert figures["complete"] is True, figures
    assert (figures["lost"], figures["duplicated"], figures["out_of_order"]) == (0, 0, 0)
    faults = figures["faults"]
    assert isinstance(faults, dict) and faults["cuts"] >= 3, figures


async def test_a_viewer_moved_off_a_killed_replica_loses_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    figures = await failover.measure(tmp_path, seconds=3.0, pods=2, rate=60.0)
    assert figures["pods_complete"] is True and figures["file_complete"] is True, figures
    assert (figures["pods_lost"], figures["pods_duplicated"]) == (0, 0), figures
    assert (figures["file_lost"], figures["file_duplicated"]) == (0, 0), figures
    assert figures["gap_notices"] == 0, figures
