"""An in-memory notifier: an outbox that tests and the demo read."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from autoir.connectors.memory.faults import FaultInjector
from autoir.domain.errors import ConnectorRejected
from autoir.ports.remediation import Notification


@dataclass(frozen=True, slots=True)
class SentNotification:
    """A notification in the outbox, with the message id it was sent under."""

    message_id: str
    notification: Notification


class InMemoryNotifier:
    """:class:`~autoir.ports.remediation.Notifier` that keeps every mail in :attr:`outbox`."""

    def __init__(self, *, domain: str = "autoir") -> None:
        self._domain = domain
        self._outbox: list[SentNotification] = []
        self._faults = FaultInjector()
        self._lock = threading.Lock()

    @property
    def outbox(self) -> list[SentNotification]:
        """Everything sent, oldest first."""
        with self._lock:
            return list(self._outbox)

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None:
        """Make the next ``n`` sends raise without sending."""
        with self._lock:
            self._faults.fail_next(n, transient=transient)

    def send(self, notification: Notification) -> str:
        """Put the notification in the outbox; returns its ``<uuid@domain>`` message id."""
        with self._lock:
            self._faults.check("notifier send")
            recipients = [r for r in notification.recipients if r.strip()]
            if not recipients:
                raise ConnectorRejected("A notification needs at least one recipient.")
            if any("@" not in r for r in recipients):
                raise ConnectorRejected("Every recipient must be an email address.")
            message_id = f"<{uuid.uuid4()}@{self._domain}>"
            self._outbox.append(SentNotification(message_id, notification))
            return message_id
