"""Which host names mean this machine: the one test behind every loopback-only rule.

Sign-in may be off, and the provider's or public URL may be plain http, only on
loopback; the Host and Origin checks of ``--auth none`` accept only loopback names.
"""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name, an address, or ``[v6]`` as URLs write it) is this machine."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
