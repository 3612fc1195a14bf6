"""The tail protocol: frames, client messages, per-connection tails, the fan-out core."""
