"""Message enums with the Graph ``analyzedMessageEvidence`` spelling (reference §1.6)."""

from __future__ import annotations

from enum import StrEnum


class EmailDirection(StrEnum):
    """``antiSpamDirection``."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTRAORG = "intraorg"
    UNKNOWN = "unknown"


class DeliveryAction(StrEnum):
    """``deliveryAction``: what the mail system did with the message at delivery."""

    DELIVERED = "delivered"
    DELIVERED_AS_SPAM = "deliveredAsSpam"
    JUNKED = "junked"
    BLOCKED = "blocked"
    REPLACED = "replaced"
    UNKNOWN = "unknown"


class DeliveryLocation(StrEnum):
    """``deliveryLocation``: where the message is (or was last seen)."""

    INBOX = "inbox"
    EXTERNAL = "external"
    JUNK_FOLDER = "junkFolder"
    QUARANTINE = "quarantine"
    FAILED = "failed"
    DROPPED = "dropped"
    DELETED_FOLDER = "deletedFolder"
    FORWARDED = "forwarded"
    UNKNOWN = "unknown"

    @property
    def in_mailbox(self) -> bool:
        """Whether the message still sits in a cloud mailbox folder an action can reach."""
        return self in {DeliveryLocation.INBOX, DeliveryLocation.JUNK_FOLDER}


class AuthResult(StrEnum):
    """Result of one sender-authentication check (SPF, DKIM, DMARC, composite auth)."""

    PASS = "pass"  # noqa: S105 - an authentication result, not a password
    FAIL = "fail"
    SOFTFAIL = "softfail"
    NEUTRAL = "neutral"
    NONE = "none"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"
    BESTGUESSPASS = "bestguesspass"
