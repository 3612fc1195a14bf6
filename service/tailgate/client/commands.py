"""``tailgate login | logout | logs | tail | search``: each command as a coroutine, and how
they run.

``run`` gives every command the same frame: one HTTP session, the store, messages on
stderr, a ``ClientError`` printed as one sentence with its exit code, and Ctrl-C
(SIGINT) ending the command cleanly: open tails close their WebSockets (code 1000)
before the process exits with 130. A closed stdout (``tailgate tail app | head``)
ends the command quietly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import urllib.parse
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import aiohttp

from .api import get_json, search_timeout
from .exits import ClientError, Exit
from .filters import LineFilter
from .output import Printer, clean
from .signin import access_token, login, logout
from .store import Store, normalize_server, resolve_server
from .tail import LogTail, TailOptions

#: What the client calls itself to the server and the provider.
USER_AGENT = "tailgate-cli"


@dataclass
class Context:
    http: aiohttp.ClientSession
    store: Store
    env: Mapping[str, str]
    out: TextIO
    err: TextIO

    def say(self, message: str) -> None:
        # Server and provider texts are shown here: they must not drive the terminal.
        self.err.write(clean(message) + "\n")
        self.err.flush()


Command = Callable[[Context], Coroutine[Any, Any, Exit]]


def run(command: Command, env: Mapping[str, str] | None = None) -> int:
    """Run ``command`` to its exit code."""
    environment = os.environ if env is None else env
    try:
        return int(asyncio.run(_main(command, environment)))
    except BrokenPipeError:
        # The reader went away (``| head``): nothing more to say, and nowhere to say it.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter exit quiet
        return int(Exit.OK)


async def _main(command: Command, env: Mapping[str, str]) -> Exit:
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    interrupted = False

    def interrupt() -> None:
        nonlocal interrupted
        interrupted = True
        task.cancel()

    loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        async with aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}) as http:
            context = Context(http, Store.default(env), env, sys.stdout, sys.stderr)
            try:
                return await command(context)
            except ClientError as e:
                context.say(f"tailgate: {e.message}")
                return e.code
    except asyncio.CancelledError:
        if not interrupted:
            raise
        return Exit.INTERRUPTED
    finally:
        loop.remove_signal_handler(signal.SIGINT)


def login_command(server: str | None, flow: str | None, open_browser: bool) -> Command:
    async def command(context: Context) -> Exit:
        chosen = (
            normalize_server(server) if server else resolve_server(None, context.env, context.store)
        )
        user = await login(
            context.http,
            chosen,
            context.store,
            flow=flow,
            open_browser=open_browser,
            say=context.say,
        )
        if user:
            context.say(f"Signed in to {chosen} as {user}.")
        else:
            context.say(f"{chosen} needs no sign-in; it is now the default server.")
        return Exit.OK

    return command


def logout_command(server: str | None) -> Command:
    async def command(context: Context) -> Exit:
        chosen = resolve_server(server, context.env, context.store)
        if await logout(context.http, chosen, context.store, say=context.say):
            context.say(f"Signed out of {chosen}.")
        else:
            context.say(f"Not signed in to {chosen}.")
        return Exit.OK

    return command


async def _with_token(context: Context, server: str, path: str, **options: Any) -> dict[str, Any]:
    """GET ``path`` signed in, refreshing once if the server refuses the token."""
    token = await access_token(context.http, server, context.store)
    try:
        return await get_json(context.http, server, path, token, **options)
    except ClientError as e:
        if e.code is not Exit.SIGN_IN_NEEDED or token is None:
            raise
    token = await access_token(context.http, server, context.store, refused=token)
    return await get_json(context.http, server, path, token, **options)


def logs_command(server: str | None, as_json: bool) -> Command:
    async def command(context: Context) -> Exit:
        chosen = resolve_server(server, context.env, context.store)
        answer = await _with_token(context, chosen, "/api/logs")
        logs = [entry for entry in answer.get("logs", []) if isinstance(entry, dict)]
        if as_json:
            context.out.write(json.dumps({"logs": logs}, ensure_ascii=False) + "\n")
            return Exit.OK
        rows = [("ID", "KIND", "TITLE")]
        rows += [
            (clean(str(e.get("id"))), clean(str(e.get("kind"))), clean(str(e.get("title") or "")))
            for e in logs
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        for row in rows:
            context.out.write(
                f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}".rstrip() + "\n"
            )
        context.out.flush()
        return Exit.OK

    return command


@dataclass(frozen=True)
class SearchRequest:
    server: str | None
    log_id: str
    query: str
    regex: bool
    case: bool
    limit: int | None
    before: str | None
    as_json: bool


#: A search answer holds at most ``--search-max-matches`` lines of ``--max-line`` each.
SEARCH_ANSWER = 256 << 20


def search_command(request: SearchRequest) -> Command:
    """One page of a log's matches, newest first (docs/search.md)."""

    async def command(context: Context) -> Exit:
        chosen = resolve_server(request.server, context.env, context.store)
        params = {"q": request.query}
        if request.regex:
            params["regex"] = "1"
        if request.case:
            params["case"] = "1"
        if request.limit is not None:
            params["limit"] = str(request.limit)
        if request.before:
            params["before"] = request.before
        path = (
            f"/api/logs/{urllib.parse.quote(request.log_id, safe='')}/search?"
            + urllib.parse.urlencode(params)
        )
        answer = await _with_token(
            context, chosen, path, limit=SEARCH_ANSWER, deadline=search_timeout()
        )
        matches = [m for m in answer.get("matches", []) if isinstance(m, dict)]
        for match in matches:
            if request.as_json:
                context.out.write(json.dumps(match, ensure_ascii=False) + "\n")
                continue
            source = match.get("source")
            prefix = f"{clean(str(source))} " if isinstance(source, str) else ""
            context.out.write(prefix + clean(str(match.get("line", ""))) + "\n")
        context.out.flush()
        more = answer.get("more")
        if isinstance(more, str) and not request.as_json:
            context.say(
                f"more matches further back: add --before {more} (scanned "
                f"{answer.get('scanned_bytes', 0)} bytes)"
            )
        elif isinstance(more, str):
            context.err.write(json.dumps({"more": more}) + "\n")
        return Exit.OK

    return command


@dataclass(frozen=True)
class TailRequest:
    server: str | None
    log_ids: Sequence[str]
    backlog: int | None
    line_filter: LineFilter
    timestamps: bool
    as_json: bool
    no_color: bool
    since: str | None = None


def tail_command(request: TailRequest) -> Command:
    async def command(context: Context) -> Exit:
        chosen = resolve_server(request.server, context.env, context.store)
        colour = (
            not request.no_color
            and not request.as_json
            and "NO_COLOR" not in context.env
            and context.out.isatty()
        )
        printer = Printer(
            context.out,
            context.err,
            colour=colour,
            json_lines=request.as_json,
            timestamps=request.timestamps,
        )
        options = TailOptions(request.backlog, request.line_filter, request.since)

        async def tokens(refused: str | None) -> str | None:
            return await access_token(context.http, chosen, context.store, refused=refused)

        tails = [
            LogTail(context.http, chosen, log_id, options, printer, tokens)
            for log_id in dict.fromkeys(request.log_ids)
        ]
        try:
            async with asyncio.TaskGroup() as group:
                for tail in tails:
                    group.create_task(tail.run(), name=f"tail {tail.log_id}")
        except ExceptionGroup as failures:
            if failures.subgroup(BrokenPipeError) is not None:
                raise BrokenPipeError() from None
            # The first tail to end for good ends the command; the others were cancelled.
            matched, _ = failures.split(ClientError)
            if matched is None:
                raise
            first = matched.exceptions[0]
            while isinstance(first, ExceptionGroup):
                first = first.exceptions[0]
            raise first from None
        return Exit.OK

    return command
