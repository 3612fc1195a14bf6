"""A fake Kubernetes API server (core/v1 ConfigMaps, Pods, pods/log, Events) for tests.

See docs/testing-kubernetes.md for what it implements and how to use it.
"""
