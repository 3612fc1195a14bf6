"""The few server-made HTML pages: sign-in errors and the sign-out confirmation.

They are tiny on purpose and need nothing from ``static/`` (an error page must work
when everything else is in doubt). No inline script or style, so the strict
Content-Security-Policy applies unchanged, except that the sign-out form may lead on to
the provider's end-session endpoint.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from aiohttp import web

from .security import CSP

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · tailgate</title>
</head>
<body>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"""


def page(title: str, body: str, *, status: int = 200, csp: str = CSP) -> web.Response:
    """``body`` is HTML already escaped by the caller."""
    response = web.Response(
        text=_PAGE.format(title=escape(title), body=body),
        status=status,
        content_type="text/html",
        charset="utf-8",
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = csp
    return response


def error_page(
    status: int, title: str, message: str, *, retry: str | None = "/login"
) -> web.Response:
    body = f"<p>{escape(message)}</p>"
    if retry is not None:
        body += f'<p><a href="{escape(retry)}">Sign in again</a></p>'
    return page(title, body, status=status)


def logout_page(*, user: str | None, token: str, end_session_url: str) -> web.Response:
    """Asks before signing out; the form posts the token that proves it came from here."""
    who = f" as <strong>{escape(user)}</strong>" if user else ""
    body = (
        f"<p>You are signed in{who}. Signing out also ends your session at the "
        "identity provider.</p>\n"
        '<form method="post" action="logout">\n'
        f'<input type="hidden" name="csrf" value="{escape(token)}">\n'
        '<button type="submit">Sign out</button>\n'
        "</form>\n"
        '<p><a href="./">Back to the logs</a></p>'
    )
    # Browsers apply form-action to the redirect that follows the POST as well.
    target = urlsplit(end_session_url)
    csp = CSP
    if target.scheme and target.netloc:
        origin = f"{target.scheme}://{target.netloc}"
        csp = CSP.replace("form-action 'self'", f"form-action 'self' {origin}")
    response = page("Sign out", body, csp=csp)
    # ``no-referrer`` (every other page) makes browsers send ``Origin: null`` with the
    # form, which the sign-out check must refuse; same-origin requests may say who they are.
    response.headers["Referrer-Policy"] = "same-origin"
    return response
