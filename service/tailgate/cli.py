"""``tailgate serve | check-config | demo``, and the terminal client's commands: the command line.

The client's commands (``login``, ``logout``, ``logs``, ``tail``) are defined and run by
``tailgate.client.arguments``; the server's are here.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import __version__
from .catalog.file_reading import CatalogUnreadable, read_catalog_file
from .catalog.store import checked
from .client.arguments import add_parsers, is_client_command, run_client_command
from .errors import ConfigError
from .files.roots import FileRoots
from .logs import setup_logging
from .settings import Settings, env_for, file_roots, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tailgate",
        description="Live log tails in the browser and the terminal, over WebSocket.",
    )
    parser.add_argument("--version", action="version", version=f"tailgate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service")
    _serve_flags(serve)

    check = commands.add_parser("check-config", help="validate a catalog file")
    check.add_argument("path", help="the catalog file (YAML)")
    _file_root_flag(check)

    demo = commands.add_parser("demo", help="run on demo logs written to a temporary folder")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--metrics-port", type=int, default=9090)
    add_parsers(commands)
    return parser


def _serve_flags(parser: argparse.ArgumentParser) -> None:
    def add(flag: str, name: str, help_text: str) -> None:
        parser.add_argument(
            flag, dest=name, default=None, help=f"{help_text} (env {env_for(name)})"
        )

    add("--catalog", "catalog", "catalog file (YAML)")
    add("--catalog-configmap", "catalog_configmap", "catalog in a ConfigMap: NAMESPACE/NAME")
    add("--host", "host", "address to bind (default 127.0.0.1)")
    add("--port", "port", "port of the UI, API and WebSockets (default 8080)")
    add("--metrics-port", "metrics_port", "port of /metrics (default 9090; 0 turns it off)")
    add("--auth", "auth", "oidc (sign-in, the default; TAILGATE_OIDC_* settings) or none")
    add(
        "--public-url",
        "public_url",
        "the URL people use to reach tailgate, with the ingress path if any, e.g."
        " https://tools.example.com/logs (required with oidc)",
    )
    add(
        "--session-refresh",
        "session_refresh",
        "seconds between checks of a session with the identity provider (default 300)",
    )
    add("--max-tails", "max_tails", "tails open at once (default 4096)")
    add("--max-tails-per-client", "max_tails_per_client", "tails per client (default 64)")
    add("--default-backlog", "default_backlog", "backlog lines by default (default 100)")
    add("--max-backlog", "max_backlog", "most backlog lines a client may ask (default 10000)")
    add("--max-line", "max_line", "longer lines are split (default 65536 characters)")
    add(
        "--header-timeout",
        "header_timeout",
        "seconds a connection has to send its request headers (default 10)",
    )
    add(
        "--max-connections-per-client",
        "max_connections_per_client",
        "open connections per client address (default 128; 0: no cap)",
    )
    add("--heartbeat", "heartbeat", "seconds between WebSocket pings (default 25)")
    add("--shutdown-grace", "shutdown_grace", "seconds to close tails on SIGTERM (default 10)")
    add("--trust-forwarded", "trust_forwarded", "use X-Forwarded-For for client addresses")
    add("--search-max-matches", "search_max_matches", "most matches per search (default 1000)")
    add("--search-max-mib", "search_max_mib", "MiB one search may read (default 4096)")
    add("--search-deadline", "search_deadline", "seconds one search may read (default 10)")
    add("--max-counted-logs", "max_counted_logs", "logs whose lines are counted (default 100)")
    add("--max-count-patterns", "max_count_patterns", "count patterns per log (default 10)")
    add("--max-pod-streams", "max_pod_streams", "pod logs followed at once (default 2000)")
    add("--log-level", "log_level", "DEBUG, INFO, WARNING or ERROR (default INFO)")
    _file_root_flag(parser)


def _file_root_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--file-root",
        dest="file_roots",
        action="append",
        default=None,
        metavar="DIR",
        help="a folder log files may be read from, repeatable; default: each file log's "
        f"own folder (env {env_for('file_roots')}, colon-separated)",
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if is_client_command(args.command):
        sys.exit(run_client_command(args))
    if args.command == "check-config":
        try:
            roots = file_roots(args.file_roots, os.environ)
        except ConfigError as exc:
            _fail("invalid settings", exc.problems)
        sys.exit(check_config(args.path, roots))
    if args.command == "demo":
        from .demo import run_demo

        sys.exit(run_demo(port=args.port, metrics_port=args.metrics_port))
    flags = {k: v for k, v in vars(args).items() if k != "command"}
    try:
        settings = load_settings(flags, os.environ)
    except ConfigError as exc:
        _fail("invalid settings", exc.problems)
    sys.exit(run_serve(settings))


def run_serve(settings: Settings) -> int:
    from .server import run_loop, serve

    setup_logging(settings.log_level)
    if settings.catalog is None and settings.catalog_configmap is None:
        _fail(
            "invalid settings",
            ["--catalog / TAILGATE_CATALOG or --catalog-configmap: a catalog is required"],
        )
    try:
        run_loop(serve(settings))
    except ConfigError as exc:
        _fail("invalid catalog", exc.problems)
    except UnicodeDecodeError as exc:
        _fail("invalid catalog", [f"{settings.catalog}: not UTF-8 text ({exc.reason})"])
    except CatalogUnreadable as exc:
        _fail("invalid catalog", [str(exc)])
    except OSError as exc:
        _fail("cannot start", [str(exc)])
    return 0


def check_config(path: str, roots: FileRoots | None = None) -> int:
    try:
        text = read_catalog_file(path)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{path}: cannot read: {exc}", file=sys.stderr)
        return 1
    try:
        catalog = checked(text, path, roots or FileRoots())
    except ConfigError as exc:
        print(f"{path}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    rules = len(catalog.rules)
    found = f"; {rules} discover rule(s), whose workloads are found when serving" if rules else ""
    names = f": {', '.join(catalog.entries)}" if catalog.entries else ""
    print(f"{path}: valid, {len(catalog)} log(s){names}{found}")
    return 0


def _fail(what: str, problems: list[str]) -> None:
    print(f"tailgate: {what}:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    sys.exit(2)
