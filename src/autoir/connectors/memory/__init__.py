"""In-memory connectors: the email system, endpoint fleet, identity provider and notifier.

They implement the remediation ports (``autoir.ports.remediation``) over plain dictionaries, with
the behaviour a real mail system or endpoint agent has — folders, an admin-only quarantine,
sealed copies kept for the retention period, offline devices that run commands at check-in,
idempotency by action id — and a ``fail_next`` fault injector so that service tests can exercise
retries. The product uses them until the IMAP connector and the Linux endpoint agent land; every
one passes the contract suites in ``tests/contract/``.

Imports only ``autoir.ports``, ``autoir.domain`` and the standard library.
"""

from autoir.connectors.memory.attachments import StoredMessage
from autoir.connectors.memory.email_system import InMemoryEmailSystem
from autoir.connectors.memory.endpoint_commands import QuarantinedFile
from autoir.connectors.memory.endpoint_fleet import InMemoryEndpointFleet
from autoir.connectors.memory.faults import FaultInjector
from autoir.connectors.memory.identity import DirectoryUser, InMemoryIdentityProvider
from autoir.connectors.memory.notifier import InMemoryNotifier, SentNotification

__all__ = [
    "DirectoryUser",
    "FaultInjector",
    "InMemoryEmailSystem",
    "InMemoryEndpointFleet",
    "InMemoryIdentityProvider",
    "InMemoryNotifier",
    "QuarantinedFile",
    "SentNotification",
    "StoredMessage",
]
