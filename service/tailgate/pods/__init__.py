"""Pod logs as tail sources: a peer of ``files``, behind the one ``TailSource`` interface.

Everything it asks of the API server goes through the client in ``k8s``. Its layers,
bottom up:

- ``log_lines``, ``pod_cursor``, ``pod_status``: pure logic (timestamps and
  positions, cursors, what a pod's and its containers' statuses mean).
- ``ring``, ``batches``, ``subscriber``, ``hub``: the shared ring buffer, the frames
  built from it, and each viewer's place: live, or catching up from the ring.
- ``container_log``, ``read_again``, ``waiting``, ``pod_set``, ``upstreams``: one
  shared API server stream per log, following restarts, reconnects and pods coming
  and going.
- ``resume``: where a cursor puts a viewer back in a log.
- ``source``: the ``pod`` (one pod) and ``pods`` (a label selector) catalog entries
  as ``TailSource``s for the WebSocket layer.
"""
