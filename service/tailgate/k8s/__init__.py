"""Kubernetes: the catalog from a ConfigMap, and pod logs as tail sources.

The only package that talks to the API server. Its layers, bottom up:

- ``api`` and ``config``: the client layer, the only modules that import
  kubernetes_asyncio; every failure leaves them as one of ``errors``.
- ``log_lines``, ``catalog_data``, ``hub``: pure logic (timestamps and cursors, the
  ConfigMap's keys as a catalog, the shared ring buffer and bounded viewer queues).
- ``configmap_catalog``: reads and watches the catalog ConfigMap.
- ``container_log``, ``pod_set``, ``upstreams``: one shared API server stream per log,
  following restarts, reconnects and pods coming and going.
- ``source``: pod logs as ``TailSource``s for the WebSocket layer.
"""
