"""The HTTP side: app factory, pages and API, the tail WebSocket, security checks, and
the sign-in routes with the checks (``gate``) and audit records that go with them."""
