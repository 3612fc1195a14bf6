"""``tailgate demo``: a working service on logs it writes itself, stopped cleanly by SIGTERM."""

from __future__ import annotations

import re
import signal
from pathlib import Path

from tests.support.processes import free_ports, tailgate_process
from tests.support.tails import TailClient


async def test_the_demo_serves_its_four_logs_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port, metrics_port = free_ports(2)
    args = ["demo", "--port", str(port), "--metrics-port", str(metrics_port)]
    async with tailgate_process(tmp_path, args, port=port, metrics_port=metrics_port) as demo:
        async with demo.session.get(f"{demo.base_url}/api/logs") as response:
            logs = (await response.json())["logs"]
        assert [log["id"] for log in logs] == ["app", "access", "colors", "rotating"]
        assert all(log["kind"] == "file" and log["title"] for log in logs)

        ws = await demo.session.ws_connect(f"{demo.base_url}/ws/tail/app?backlog=5")
        tail = TailClient(ws)
        await tail.expect("hello")
        lines = await tail.read_lines(5)
        # The demo keeps writing: a live line follows the backlog within a second or so.
        lines = await tail.read_lines(6)
        assert all(re.search(r" (INFO|DEBUG|WARN|ERROR) +\[worker-\d\] ", line) for line in lines)
        assert demo.metrics_url is not None
        async with demo.session.get(demo.metrics_url) as response:
            assert "tailgate_catalog_entries 4.0" in await response.text()

        folder = re.search(r"logs in (\S+?)\)", demo.stdout())
        assert folder is not None, demo.stdout()
        assert Path(folder.group(1)).is_dir()
        demo.signal(signal.SIGTERM)
        await tail.expect_close(1001)
        assert await demo.wait_exit() == 0
        assert "Traceback" not in demo.stderr()
        # The demo's logs lived in a temporary folder, removed on the way out.
        assert not Path(folder.group(1)).exists()
