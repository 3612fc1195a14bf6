"""The HTTP side: app factory, pages and API, the tail WebSocket, security checks."""
