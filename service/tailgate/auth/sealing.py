"""Sealed values: small secrets kept by the browser that only this server can read.

tailgate keeps no sign-in state on the server, so the browser carries it: the pending
sign-in (state, nonce, PKCE verifier) and the session. Both must stay secret and
unforgeable, so each is sealed with AES-256-GCM, which encrypts and authenticates in
one step. Keys are derived from the session secret with HKDF, one per purpose, so a
sealed sign-in state can never be presented as a session, nor the other way round.

Format: ``v1.`` + base64url(12-byte nonce + ciphertext and tag), no padding.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = "v1."
_NONCE_BYTES = 12
_SALT = b"tailgate sealed values"


class Unsealable(Exception):
    """The value was not sealed by this server for this purpose, or was altered."""


class Sealer:
    """Seals and opens values for one purpose with a key derived from the secret."""

    def __init__(self, secret: str | bytes, purpose: str) -> None:
        raw = secret.encode() if isinstance(secret, str) else secret
        self._purpose = purpose.encode()
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=self._purpose).derive(raw)
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, plaintext, self._purpose)
        return _VERSION + _encode(sealed)

    def open(self, value: str) -> bytes:
        if not value.startswith(_VERSION):
            raise Unsealable("unknown format")
        body = value[len(_VERSION) :]
        try:
            sealed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError) as e:
            raise Unsealable("not base64url") from e
        if _encode(sealed) != body:
            # Spare bits in the last character would let several strings carry one value.
            raise Unsealable("not canonical base64url")
        if len(sealed) <= _NONCE_BYTES:
            raise Unsealable("too short")
        nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, ciphertext, self._purpose)
        except InvalidTag as e:
            raise Unsealable("altered, or sealed with another key") from e


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
