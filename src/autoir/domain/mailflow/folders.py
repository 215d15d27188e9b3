"""The delivery location of a copy from the folder it sits in.

Folder names are AutoIR's (see :mod:`autoir.ports.mailboxes`). As in Defender, a copy filed in
any folder of the mailbox other than junk and deleted items is ``inbox`` ("Inbox/folder"):
remediation can reach it there.
"""

from __future__ import annotations

from autoir.domain.messages.enums import DeliveryLocation

_SPECIAL = {
    "inbox": DeliveryLocation.INBOX,
    "junk": DeliveryLocation.JUNK_FOLDER,
    "deleted items": DeliveryLocation.DELETED_FOLDER,
}


def delivery_location(folder: str) -> DeliveryLocation:
    """``Junk`` → ``junkFolder``, ``Deleted Items`` → ``deletedFolder``, any other → ``inbox``."""
    return _SPECIAL.get(folder.strip().lower(), DeliveryLocation.INBOX)


def same_folder(folder: str, other: str) -> bool:
    """Whether two AutoIR folder names are the same folder (case-insensitive, ``/``-trimmed)."""
    return folder.strip().strip("/").lower() == other.strip().strip("/").lower()
