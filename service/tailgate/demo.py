"""``tailgate demo``: the service on logs it writes itself, no cluster or setup needed.

Four logs are written into a temporary folder: an application log, an access log,
a log mixing ANSI colours and JSON lines, and one rotated (rename + create) every
minute. The server runs on loopback with sign-in off, which is allowed only there.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import random
import shutil
import tempfile
from collections.abc import Callable

from .logs import setup_logging
from .server import run_loop, serve
from .settings import Settings

ROTATE_EVERY = 60.0

_PATHS = ("/", "/api/orders", "/api/orders/1042", "/static/app.js", "/login", "/api/cart")
_AGENTS = ("Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", "kube-probe/1.30")
_WORDS = ("order", "invoice", "cart", "payment", "session", "shipment")


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


def app_line(rng: random.Random) -> str:
    level = rng.choices(["INFO", "DEBUG", "WARN", "ERROR"], [70, 15, 10, 5])[0]
    word = rng.choice(_WORDS)
    worker = rng.randint(1, 4)
    took = rng.randint(2, 900)
    return (
        f"{_now()} {level:<5} [worker-{worker}] {word} {rng.randint(1000, 9999)} done in {took} ms"
    )


def access_line(rng: random.Random) -> str:
    when = datetime.datetime.now(datetime.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
    ip = f"10.0.{rng.randint(0, 9)}.{rng.randint(2, 250)}"
    status = rng.choices([200, 304, 404, 500], [80, 10, 7, 3])[0]
    path = rng.choice(_PATHS)
    agent = rng.choice(_AGENTS)
    size = rng.randint(120, 48000)
    return f'{ip} - - [{when}] "GET {path} HTTP/1.1" {status} {size} "-" "{agent}"'


def colour_line(rng: random.Random) -> str:
    if rng.random() < 0.5:
        record = {
            "ts": _now(),
            "level": rng.choice(["info", "warn", "error"]),
            "msg": f"{rng.choice(_WORDS)} updated",
            "user_id": rng.randint(1, 500),
            "latency_ms": round(rng.random() * 120, 2),
        }
        return json.dumps(record)
    colour, level = rng.choice([("32", "INFO"), ("33", "WARN"), ("31", "ERROR"), ("36", "DEBUG")])
    return (
        f"\x1b[2m{_now()}\x1b[0m \x1b[{colour}m{level}\x1b[0m {rng.choice(_WORDS)} \x1b[1mok\x1b[0m"
    )


def write_catalog(folder: str) -> str:
    path = os.path.join(folder, "catalog.yaml")
    entries = [
        ("app", "Application log", "app.log"),
        ("access", "Access log", "access.log"),
        ("colors", "ANSI colours and JSON lines", "colors.log"),
        ("rotating", "Rotated every minute", "rotating.log"),
    ]
    with open(path, "w", encoding="utf-8") as f:
        f.write("logs:\n")
        for log_id, title, name in entries:
            f.write(f"  - id: {log_id}\n    title: {title}\n")
            f.write(f"    file: {os.path.join(folder, name)}\n")
    return path


async def _writer(path: str, make: Callable[[random.Random], str], every: float) -> None:
    rng = random.Random(path)
    with open(path, "a", encoding="utf-8") as f:
        for _ in range(40):
            f.write(make(rng) + "\n")
    while True:
        await asyncio.sleep(rng.uniform(every * 0.3, every * 1.7))
        with open(path, "a", encoding="utf-8") as f:
            f.write(make(rng) + "\n")


async def _rotating_writer(path: str) -> None:
    rng = random.Random(path)
    loop = asyncio.get_running_loop()
    rotate_at = loop.time() + ROTATE_EVERY
    count = 0
    while True:
        count += 1
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{_now()} tick {count}: {rng.choice(_WORDS)}\n")
        if loop.time() >= rotate_at:
            os.replace(path, path + ".1")
            rotate_at += ROTATE_EVERY
        await asyncio.sleep(0.5)


async def _run(folder: str, settings: Settings) -> None:
    writers = [
        asyncio.create_task(_writer(os.path.join(folder, "app.log"), app_line, 0.7)),
        asyncio.create_task(_writer(os.path.join(folder, "access.log"), access_line, 0.3)),
        asyncio.create_task(_writer(os.path.join(folder, "colors.log"), colour_line, 1.0)),
        asyncio.create_task(_rotating_writer(os.path.join(folder, "rotating.log"))),
    ]
    try:
        await serve(settings)
    finally:
        for task in writers:
            task.cancel()
        await asyncio.gather(*writers, return_exceptions=True)


def run_demo(*, port: int = 8080, metrics_port: int = 9090) -> int:
    setup_logging("INFO")
    folder = tempfile.mkdtemp(prefix="tailgate-demo-")
    try:
        catalog = write_catalog(folder)
        settings = Settings(
            catalog=catalog, host="127.0.0.1", port=port, metrics_port=metrics_port, auth="none"
        )
        print(f"tailgate demo: open http://127.0.0.1:{port}/  (logs in {folder})", flush=True)
        run_loop(_run(folder, settings))
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0
