"""A person at the provider's pages, without a browser: approving a device code.

The provider's device pages are forms (an auto-submitted one carries the code, then a
confirmation, then the login and consent forms ``tests.auth.provider.sign_in`` knows);
this follows them as a browser would, with a cookie jar and nothing else.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

MAX_HOPS = 15

_FORM = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]+)"', re.IGNORECASE)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


async def approve_device(
    http: httpx.AsyncClient, url: str, *, user: str = "alice", abort: bool = False
) -> str:
    """Open ``url`` (the verification URI with the code), sign in, approve; the last page.

    ``abort`` presses the confirmation page's Abort instead, refusing the device.
    """
    response = await http.get(url)
    for _ in range(MAX_HOPS):
        current = str(response.request.url)
        if response.is_redirect:
            response = await http.get(urljoin(current, response.headers["location"]))
            continue
        page = response.text
        if response.status_code != 200:
            raise AssertionError(f"{response.status_code} from {current}: {page[:300]}")
        if urlsplit(current).path.startswith("/interaction/"):
            if 'name="prompt" value="consent"' in page:
                form: dict[str, str] = {"prompt": "consent"}
            else:
                form = {"prompt": "login", "login": user, "password": "x"}
            response = await http.post(current, data=form)
            continue
        action = _FORM.search(page)
        if action is None or 'name="user_code" placeholder' in page:
            # The end: a page without a form, or the one asking for a code (again).
            return page
        form = dict(_HIDDEN.findall(page))
        if abort and "op.deviceConfirmForm" in page:
            form["abort"] = "yes"
        response = await http.post(urljoin(current, action.group(1)), data=form)
    raise AssertionError(f"no end to the device pages after {MAX_HOPS} steps")


def provider_get(issuer: str, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(issuer + path, timeout=5) as response:
        return dict(json.load(response))


def provider_post(issuer: str, path: str) -> dict[str, Any]:
    request = urllib.request.Request(issuer + path, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return dict(json.load(response))
