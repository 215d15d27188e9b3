"""A network message id for messages that arrive as files.

A mail system gives each delivered copy a network message id; an ``.eml`` or mbox entry has
none. AutoIR derives one from the bytes: a UUID version 5 of the SHA-256 of the raw message
under a fixed namespace, printed as a GUID like Exchange's. The same bytes always give the same
id, so ingesting a file twice finds the stored message instead of adding a copy; two copies
that differ by a single byte (another recipient's ``Delivered-To``) are two deliveries.

A copy read from a mailbox has the mailbox in its identity (:func:`derive_copy_id`): a delivery
agent that takes one message for many recipients in one transaction (Dovecot's LMTP, behind
Postfix's default of 50 recipients per delivery) stores the same bytes in every mailbox, and
each of those copies is still its own delivery, with its own location and its own remediation.
"""

from __future__ import annotations

import hashlib
import uuid

# Fixed forever: changing it would re-key every message already ingested from files.
FILE_MESSAGE_NAMESPACE = uuid.UUID("6f1d3a2e-8c4b-5e7a-9b0c-2d4f6a8e1c3b")


def derive_network_message_id(raw: bytes) -> str:
    """Deterministic GUID-shaped id of a raw message."""
    digest = hashlib.sha256(raw).hexdigest()
    return str(uuid.uuid5(FILE_MESSAGE_NAMESPACE, digest))


def derive_copy_id(mailbox: str, raw: bytes) -> str:
    """Deterministic GUID-shaped id of the copy of ``raw`` in ``mailbox`` (case-insensitive)."""
    digest = hashlib.sha256(b"mailbox:" + mailbox.strip().lower().encode() + b"\n" + raw)
    return str(uuid.uuid5(FILE_MESSAGE_NAMESPACE, digest.hexdigest()))
