"""Every way signing in or proving who one is can fail, and what a user is told.

The web layer maps these to responses without knowing OpenID Connect: each error is a
``Refusal`` (``tailgate.errors``) and carries an HTTP status, the close code of a tail
refused after its handshake, a short ``code`` for logs and metrics, and a message
written for the person in front of the browser. The message never repeats a token, a
cookie or a secret; ``detail`` says more for the server log and is just as careful.

Hierarchy (HTTP status / close code)::

    TailgateError (tailgate.errors)
    └── Refusal (tailgate.errors)
        └── AuthError                  401 / 4401 unless said otherwise
            ├── NotSignedIn            no session cookie and no bearer token
            ├── SessionInvalid         the session cookie was altered or is not ours
            │   ├── SessionExpired     the session outlived its maximum age
            │   └── SessionRevoked     the provider refused to refresh it (revoked, disabled)
            ├── SessionTooLarge        500: the identity does not fit in a cookie
            ├── TokenInvalid           an ID or access token failed a check
            │   ├── TokenExpired       its ``exp`` has passed
            │   └── UnknownSigningKey  its ``kid`` is not in the provider's JWKS
            ├── SignInFailed           400: the return from the provider cannot be accepted
            │   ├── LoginStateInvalid  400: the sign-in state is missing, stale or not this one
            │   ├── LoginReplayed      400: this sign-in response was already used
            │   ├── IssuerMismatch     400: the response names another issuer (RFC 9207)
            │   ├── ProviderRefused    400: the provider answered with an ``error``
            │   └── CodeExchangeFailed 502: the token endpoint refused or failed
            ├── ProviderUnavailable    503 / 1013: discovery or the JWKS cannot be fetched now
            ├── SessionUnconfirmed     503 / 1013: an open tail's session needs a check by a
            │                          new handshake
            └── AccessDenied           403 / 4403: signed in, but this log is not for this user
"""

from __future__ import annotations

from tailgate.errors import CloseCode, Refusal


class AuthError(Refusal):
    """Base of the sign-in and authorization errors."""

    status = 401
    close_code = CloseCode.UNAUTHENTICATED
    code = "unauthenticated"
    message = "Please sign in."


class NotSignedIn(AuthError):
    code = "not_signed_in"
    message = "Please sign in."


class SessionInvalid(AuthError):
    code = "session_invalid"
    message = "Your session is not valid any more. Please sign in again."


class SessionExpired(SessionInvalid):
    code = "session_expired"
    message = "Your session has expired. Please sign in again."


class SessionRevoked(SessionInvalid):
    """The provider refused to refresh the session: signed out, revoked, or user disabled."""

    code = "session_revoked"
    message = "Your session was ended at the identity provider. Please sign in again."


class SessionTooLarge(AuthError):
    status = 500
    code = "session_too_large"
    message = (
        "Your account has too many groups to fit in a session. "
        "Ask the administrator to choose a smaller groups claim."
    )


class TokenInvalid(AuthError):
    code = "token_invalid"
    message = "The sign-in token could not be verified."


class TokenExpired(TokenInvalid):
    code = "token_expired"
    message = "The sign-in token has expired."


class UnknownSigningKey(TokenInvalid):
    code = "unknown_signing_key"
    message = "The sign-in token was signed with a key the provider does not publish."


class SignInFailed(AuthError):
    status = 400
    code = "sign_in_failed"
    message = "Signing in did not complete. Please try again."


class LoginStateInvalid(SignInFailed):
    code = "login_state_invalid"
    message = "This sign-in was started too long ago or in another browser. Please sign in again."


class LoginReplayed(SignInFailed):
    code = "login_replayed"
    message = "This sign-in response was already used. Please sign in again."


class IssuerMismatch(SignInFailed):
    code = "issuer_mismatch"
    message = "The sign-in response came from an unexpected provider."


class ProviderRefused(SignInFailed):
    """The provider sent the browser back with ``error`` instead of a code."""

    code = "provider_refused"
    message = "The identity provider did not sign you in."

    def __init__(self, error: str, description: str | None = None) -> None:
        self.error = error
        self.description = description
        super().__init__(f"{error}: {description}" if description else error)


class CodeExchangeFailed(SignInFailed):
    status = 502
    code = "code_exchange_failed"
    message = "The identity provider did not complete the sign-in. Please try again."


class ProviderUnavailable(AuthError):
    status = 503
    # The provider cannot be asked for its keys right now: worth retrying later.
    close_code = CloseCode.TRY_AGAIN_LATER
    code = "provider_unavailable"
    message = "The identity provider cannot be reached right now. Please try again shortly."


class SessionUnconfirmed(AuthError):
    """An open tail's session is due for a check that would spend its refresh token.

    A tail cannot hand a new cookie to the browser, so it does not spend the token; it
    asks the browser to reconnect instead, and the new handshake checks the session.
    """

    status = 503
    close_code = CloseCode.TRY_AGAIN_LATER
    code = "session_unconfirmed"
    message = "Your session is being checked with the identity provider; reconnecting."


class AccessDenied(AuthError):
    status = 403
    close_code = CloseCode.FORBIDDEN
    code = "forbidden"
    message = "You are signed in, but this log is not shared with you."
