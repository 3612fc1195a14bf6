"""Tokens that prove a form was served by tailgate, for the few requests that change state.

Signing out is a POST: a GET would let any page sign a user out with an image tag. The
``SameSite=Lax`` session cookie already stays off cross-site POSTs, but sign-out also
ends the session at the provider, so the form carries a token besides. The token is an
HMAC of what names the session the form was shown with (its sign-in, which survives the
cookie being resealed by a refresh), under a key derived from the session secret:
nothing is stored, another site cannot compute it, and it stops working for another
sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_SALT = b"tailgate form tokens"


class FormTokens:
    """Makes and checks the token of a form shown to the holder of a session cookie."""

    def __init__(self, secret: str | bytes, purpose: str) -> None:
        raw = secret.encode() if isinstance(secret, str) else secret
        self._key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose.encode()
        ).derive(raw)

    def token(self, session: str | None) -> str:
        """The token for a form shown to ``session`` (``None``: no session)."""
        digest = hmac.new(self._key, (session or "").encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def check(self, token: str | None, session: str | None) -> bool:
        if not token:
            return False
        return hmac.compare_digest(token.encode(), self.token(session).encode())
