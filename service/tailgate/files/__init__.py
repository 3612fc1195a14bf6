"""Log files as sources: reading, following, rotation, fan-out to viewers."""
