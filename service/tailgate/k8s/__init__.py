"""Kubernetes: the client the pod sources and the ConfigMap catalog talk through.

The only package that talks to the API server, and the only one that imports
kubernetes_asyncio:

- ``config``: where the cluster is and how to authenticate (in-cluster service
  account or kubeconfig), settled once, on first use.
- ``api``: the requests tailgate makes (get, list, watch, pod logs, events).
- ``errors``: every failure of the API server or the connection, as one of
  tailgate's own errors.
"""
