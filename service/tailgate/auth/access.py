"""Who may tail which log: the policy, and nothing else.

A log in the catalog may carry ``allow: {groups: [...], users: [...]}``. A user may
tail it when one of their groups is listed, or when they are listed by subject (``sub``)
or by an e-mail address the provider verified (``email_verified: true``). An unverified
address never counts: many providers let anyone type in any address at registration, so
matching one would hand a stranger the logs of the person whose address they typed. The
user name (``preferred_username``) does not count either: providers let users change it
and do not promise it is unique. A log without ``allow`` follows the default
(``TAILGATE_ACCESS_DEFAULT``: ``allow`` lets every signed-in user see it, ``deny``
hides it). An ``allow`` with both lists empty admits nobody: that is what it says.

Pure: the catalog passes the rule it parsed (``tailgate.catalog.model.Allow``), the
session passes the identity.
"""

from __future__ import annotations

from tailgate.auth.identity import Identity
from tailgate.catalog.model import Allow


def may_tail(identity: Identity, allow: Allow | None, *, default_allow: bool) -> bool:
    """Whether ``identity`` may tail a log whose rule is ``allow``."""
    if allow is None:
        return default_allow
    if not set(allow.groups).isdisjoint(identity.groups):
        return True
    return any(_is_user(identity, entry) for entry in allow.users)


def _is_user(identity: Identity, entry: str) -> bool:
    if entry == identity.subject:
        return True
    return (
        identity.email_verified
        and identity.email is not None
        and "@" in entry
        and entry.lower() == identity.email.lower()
    )
