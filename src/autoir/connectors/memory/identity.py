"""An in-memory directory: user accounts that can be disabled, reset, signed out, flagged."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from autoir.connectors.memory.faults import FaultInjector
from autoir.domain.errors import ConnectorRejected
from autoir.ports.remediation import IdentityOperation

Op = IdentityOperation


@dataclass(frozen=True, slots=True)
class DirectoryUser:
    """One account as the directory holds it."""

    enabled: bool = True
    sessions: int = 0
    """Active sign-in sessions (refresh tokens)."""
    password_version: int = 1
    """Grows by one at each password reset."""
    compromised: bool = False


_Change = Callable[[DirectoryUser], DirectoryUser]
_CHANGES: dict[IdentityOperation, _Change] = {
    Op.DISABLE: lambda user: replace(user, enabled=False),
    Op.ENABLE: lambda user: replace(user, enabled=True),
    Op.RESET_PASSWORD: lambda user: replace(user, password_version=user.password_version + 1),
    Op.REVOKE_SESSIONS: lambda user: replace(user, sessions=0),
    Op.CONFIRM_COMPROMISED: lambda user: replace(user, compromised=True),
    Op.DISMISS_COMPROMISED: lambda user: replace(user, compromised=False),
}


class InMemoryIdentityProvider:
    """:class:`~autoir.ports.remediation.IdentityProvider` over a dict of users (thread-safe).

    User names (UPNs) are compared case-insensitively. ``supports`` limits the operations the
    directory offers (all by default), as a directory without a risk engine cannot flag users.
    """

    def __init__(
        self,
        users: Mapping[str, DirectoryUser] | None = None,
        *,
        supports: Iterable[IdentityOperation] | None = None,
    ) -> None:
        self._users = {_key(upn): user for upn, user in (users or {}).items()}
        self._supported = frozenset(IdentityOperation if supports is None else supports)
        self._applied: dict[str, Mapping[str, Any]] = {}
        self._faults = FaultInjector()
        self._lock = threading.RLock()

    def add_user(self, upn: str, user: DirectoryUser | None = None) -> None:
        """Add or replace an account."""
        with self._lock:
            self._users[_key(upn)] = user or DirectoryUser()

    def sign_in(self, upn: str) -> None:
        """Open one more session for the user."""
        with self._lock:
            user = self._existing(upn)
            self._users[_key(upn)] = replace(user, sessions=user.sessions + 1)

    def user(self, upn: str) -> DirectoryUser | None:
        """The account as it is now, None if there is none."""
        with self._lock:
            return self._users.get(_key(upn))

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None:
        """Make the next ``n`` apply calls raise before acting."""
        with self._lock:
            self._faults.fail_next(n, transient=transient)

    def supports(self, operation: IdentityOperation) -> bool:
        """Whether the directory offers ``operation``."""
        return operation in self._supported

    def apply(self, action_id: str, operation: IdentityOperation, user: str) -> Mapping[str, Any]:
        """Do ``operation`` for ``user``; the first details are returned on a repeat."""
        with self._lock:
            self._faults.check(f"identity {operation.value}")
            done = self._applied.get(action_id)
            if done is not None:
                return dict(done)
            if not self.supports(operation):
                raise ConnectorRejected(f"The directory does not support {operation.value}.")
            before = self._existing(user)
            after = _CHANGES[operation](before)
            self._users[_key(user)] = after
            details = {
                "user": user,
                "operation": operation.value,
                "enabled": after.enabled,
                "compromised": after.compromised,
                "passwordVersion": after.password_version,
                "revokedSessions": before.sessions - after.sessions,
                "changed": before != after,
            }
            self._applied[action_id] = details
            return dict(details)

    def _existing(self, upn: str) -> DirectoryUser:
        user = self._users.get(_key(upn))
        if user is None:
            raise ConnectorRejected(f"The directory has no user {upn!r}.")
        return user


def _key(upn: str) -> str:
    return upn.strip().lower()
