"""The tail protocol: frames, client messages, per-connection tails, fan-out pacing."""
