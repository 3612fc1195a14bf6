"""Connecting to the API server: in-cluster inside a pod, a kubeconfig otherwise.

Nothing connects until the first caller needs the API (a pod log tailed, or the
catalog ConfigMap read at start), so a file catalog without pod logs never touches
Kubernetes configuration at all. The client library itself is imported on first use
too: it costs about 0.3 s and 40 MB, which a server of file logs should not pay.
The environment is passed in, not read at import.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any

from .api import KubeApi
from .errors import KubeConfigMissing

SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"  # noqa: S105


def in_cluster(env: Mapping[str, str]) -> bool:
    return "KUBERNETES_SERVICE_HOST" in env and os.path.exists(SERVICE_ACCOUNT_TOKEN)


async def load_configuration(env: Mapping[str, str]) -> Any:
    """A client Configuration from the service account, or from KUBECONFIG / ~/.kube/config."""
    from kubernetes_asyncio import client, config
    from kubernetes_asyncio.config.config_exception import ConfigException

    configuration = client.Configuration()
    try:
        if in_cluster(env):
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        else:
            path = env.get("KUBECONFIG", "").split(os.pathsep)[0] or _home_kubeconfig(env)
            await config.load_kube_config(
                config_file=path, client_configuration=configuration, persist_config=False
            )
    except (ConfigException, OSError, ValueError) as exc:
        raise KubeConfigMissing(
            f"no Kubernetes configuration: not in a pod, and no usable kubeconfig ({exc})"
        ) from exc
    return configuration


def _home_kubeconfig(env: Mapping[str, str]) -> str:
    return os.path.join(env.get("HOME", "~"), ".kube", "config")


class KubeConnector:
    """Creates the API client on first use and closes it at shutdown."""

    def __init__(self, env: Mapping[str, str] | None = None, *, host: str | None = None) -> None:
        self._env = dict(os.environ if env is None else env)
        self._host = host
        self._api: KubeApi | None = None
        self._api_client: Any = None
        self._lock = asyncio.Lock()

    async def api(self) -> KubeApi:
        if self._api is not None:
            return self._api
        async with self._lock:
            if self._api is None:
                from kubernetes_asyncio import client

                if self._host is not None:
                    configuration = client.Configuration(host=self._host)
                else:
                    configuration = await load_configuration(self._env)
                # No pool limit: a full pool makes requests wait without a word. Log
                # streams, the connections that grow with pods, are capped by
                # ``pods.follow_slots`` instead, where reaching the cap is reported.
                configuration.connection_pool_maxsize = 0
                self._api_client = client.ApiClient(configuration)
                self._api = KubeApi(self._api_client)
        return self._api

    async def close(self) -> None:
        if self._api_client is not None:
            await self._api_client.close()
            self._api_client = None
            self._api = None
