"""The soak scenarios of abuse, in their quick form: stalled viewers and bad-message floods.

Each runs ``tailgate serve`` as a process, as ``make soak`` does, and checks the
figures the soak reports against what issue #9 asks.
"""

from __future__ import annotations

from pathlib import Path

from bench.soak import flood, stalled_viewers


async def test_stalled_viewers_cost_bounded_memory_and_the_live_ones_get_every_line(
    tmp_path: Path,
) -> None:
    figures = await stalled_viewers.run(tmp_path, quick=True)
    written = figures["lines_written"]
    assert isinstance(written, int) and written > 0
    assert figures["live_every_line_once"] is True, figures
    assert figures["rss_within_budget"] is True, figures


async def test_every_flooding_client_is_closed_and_the_live_viewer_loses_nothing(
    tmp_path: Path,
) -> None:
    figures = await flood.run(tmp_path, quick=True)
    assert figures["flooders_closed_by_server"] == figures["flooders"], figures
    assert figures["live_lost"] == 0 and figures["live_duplicated"] == 0, figures
    assert figures["live_out_of_order"] == 0, figures
    rss_before, rss_peak = figures["rss_before_mib"], figures["rss_peak_mib"]
    assert isinstance(rss_before, float) and isinstance(rss_peak, float)
    assert rss_peak - rss_before < 64, figures
