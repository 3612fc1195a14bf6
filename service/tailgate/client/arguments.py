"""The client's subcommands on ``tailgate``'s command line: their flags, and running them.

Kept apart from the server's commands (``tailgate.cli``) so that the command line only
builds the parsers here and the client's modules (and aiohttp's client) load only
when one of these commands runs.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from typing import Any

from .exits import Exit

_SERVER_HELP = "the tailgate server's URL (env TAILGATE_SERVER; default: the last login)"


def add_parsers(commands: Any) -> None:
    """Add ``login``, ``logout``, ``logs``, ``tail`` and ``search`` to ``commands``."""
    login = commands.add_parser("login", help="sign in to a tailgate server from this terminal")
    login.add_argument("--server", help=_SERVER_HELP)
    login.add_argument(
        "--browser", action="store_true", help="open the sign-in page in a browser on this machine"
    )
    login.add_argument(
        "--flow",
        choices=("device", "loopback"),
        default=None,
        help="device: a code to enter on any device (RFC 8628, the default where the provider "
        "offers it); loopback: a browser on this machine (RFC 8252)",
    )

    logout = commands.add_parser("logout", help="revoke and delete this terminal's sign-in")
    logout.add_argument("--server", help=_SERVER_HELP)

    logs = commands.add_parser("logs", help="the logs you may tail")
    logs.add_argument("--server", help=_SERVER_HELP)
    logs.add_argument("--json", action="store_true", help="one JSON object")

    tail = commands.add_parser(
        "tail",
        help="follow one or several logs, merged",
        description="Follow logs live, merged, each line prefixed with its log's ID "
        "(and pod/container for pods logs). Exit codes: docs/cli.md.",
    )
    tail.add_argument("log_ids", nargs="+", metavar="ID", help="a log ID (see `tailgate logs`)")
    tail.add_argument("--server", help=_SERVER_HELP)
    tail.add_argument(
        "--backlog", type=_backlog, default=None, metavar="N", help="last lines to show first"
    )
    tail.add_argument(
        "--since",
        type=_since,
        default=None,
        metavar="TIME|DURATION",
        help="start at a time instead of the backlog: RFC 3339 (2026-12-01T10:00:00Z) or a "
        "duration back from now (90s, 15m, 2h, 1d)",
    )
    tail.add_argument("--grep", metavar="RE", help="only lines matching this regular expression")
    tail.add_argument("--invert", action="store_true", help="only lines NOT matching --grep")
    tail.add_argument(
        "--levels", metavar="LIST", help="only lines of these levels, e.g. error,warn"
    )
    tail.add_argument(
        "--timestamps", action="store_true", help="show the kubelet's timestamp (pod logs)"
    )
    tail.add_argument("--json", action="store_true", help="one JSON object per line")
    tail.add_argument("--no-color", action="store_true", help="no colours (also NO_COLOR)")

    search = commands.add_parser(
        "search",
        help="find lines in a log's history, newest first",
        description="Search a log's history on the server (its current file and rotated "
        "copies, or a pod's log as the API server keeps it), newest match first. "
        "Exit codes: docs/cli.md.",
    )
    search.add_argument("log_id", metavar="ID", help="a log ID (see `tailgate logs`)")
    search.add_argument("query", metavar="QUERY", help="the text to find (a literal)")
    search.add_argument("--server", help=_SERVER_HELP)
    search.add_argument("--regex", action="store_true", help="QUERY is a regular expression")
    search.add_argument("--case", action="store_true", help="match case exactly")
    search.add_argument(
        "--limit", type=_backlog, default=None, metavar="N", help="at most N matches"
    )
    search.add_argument(
        "--before", metavar="TOKEN", help="go on further back (the token a search printed)"
    )
    search.add_argument("--json", action="store_true", help="one JSON object per match")


_DURATION = re.compile(r"([0-9]{1,6})([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TIME = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d{1,9})?([Zz]|[+-]\d\d:\d\d)")


def _since(text: str) -> str:
    """``--since`` as the server takes it: an RFC 3339 time (a duration counts back)."""
    duration = _DURATION.fullmatch(text)
    if duration is not None:
        seconds = int(duration.group(1)) * _UNITS[duration.group(2)]
        at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=seconds)
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")
    if _TIME.fullmatch(text):
        return text
    raise argparse.ArgumentTypeError(
        f"an RFC 3339 time such as 2026-12-01T10:00:00Z, or a duration such as 15m; not {text!r}"
    )


def _backlog(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise argparse.ArgumentTypeError(f"a whole number of lines, not {text!r}")
    return int(text)


def is_client_command(name: str) -> bool:
    return name in ("login", "logout", "logs", "tail", "search")


def run_client_command(args: argparse.Namespace) -> int:
    """Run the parsed client command; its exit code (docs/cli.md)."""
    from .commands import (
        SearchRequest,
        TailRequest,
        login_command,
        logout_command,
        logs_command,
        run,
        search_command,
        tail_command,
    )
    from .filters import LineFilter

    if args.command == "login":
        return run(login_command(args.server, args.flow, args.browser))
    if args.command == "logout":
        return run(logout_command(args.server))
    if args.command == "logs":
        return run(logs_command(args.server, args.json))
    if args.command == "search":
        return run(
            search_command(
                SearchRequest(
                    server=args.server,
                    log_id=args.log_id,
                    query=args.query,
                    regex=args.regex,
                    case=args.case,
                    limit=args.limit,
                    before=args.before,
                    as_json=args.json,
                )
            )
        )
    try:
        line_filter = LineFilter.build(args.grep, args.invert, args.levels)
    except ValueError as e:
        print(f"tailgate tail: error: {e}", file=sys.stderr)
        return int(Exit.USAGE)
    request = TailRequest(
        server=args.server,
        log_ids=args.log_ids,
        backlog=args.backlog,
        line_filter=line_filter,
        timestamps=args.timestamps,
        as_json=args.json,
        no_color=args.no_color,
        since=args.since,
    )
    return run(tail_command(request))


__all__ = ["Exit", "add_parsers", "is_client_command", "run_client_command"]
