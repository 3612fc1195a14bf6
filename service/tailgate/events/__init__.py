"""Kubernetes Events as a log: ``events`` catalog entries (docs/kubernetes.md)."""
