"""tailgate: live log tails in the browser, over WebSocket."""

__version__ = "0.1.0"
