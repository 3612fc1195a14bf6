"""A log's history: searching it and reading it back, newest first (docs/search.md).

A tail answers "what is happening now"; this package answers "when did this start":
it reads a log's current file and then its rotated predecessors, the newest bytes
first, so the cost of the newest matches does not depend on how long the log is.
Every file is opened under the log's file roots; every position it hands out is a
tail cursor (``files/cursor.py``) or, inside a compressed copy, a token of the same
shape (``places.py``), and every position it is handed back is checked like one.
"""
