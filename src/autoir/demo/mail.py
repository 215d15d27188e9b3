"""E-mail messages and their evidence (``analyzedMessageEvidence``, ``mailClusterEvidence``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from autoir.demo.evidence import Evidence, base, file_details
from autoir.demo.primitives import hex_string, iso, new_guid

if TYPE_CHECKING:
    from datetime import datetime
    from random import Random

    from autoir.demo.primitives import FileSpec


@dataclass(frozen=True, slots=True)
class Sender:
    """An e-mail sender (P1 envelope and P2 header are the same unless spoofed)."""

    address: str
    display_name: str

    @property
    def domain(self) -> str:
        """The part after the ``@``."""
        return self.address.rsplit("@", 1)[1]

    def as_graph(self) -> dict[str, object]:
        """The ``emailSender`` complex type."""
        return {
            "emailAddress": self.address,
            "displayName": self.display_name,
            "domainName": self.domain,
        }


@dataclass(frozen=True, slots=True)
class Message:
    """One delivered copy of a message (one recipient, one network message id)."""

    network_message_id: str
    internet_message_id: str
    subject: str
    sender: Sender
    sender_ip: str
    recipient: str
    received: datetime
    urls: tuple[str, ...] = ()
    attachments: tuple[FileSpec, ...] = ()
    threats: tuple[str, ...] = ()
    detection_methods: tuple[str, ...] = ()
    delivery_action: str = "delivered"
    delivery_location: str = "inbox"
    direction: str = "inbound"
    language: str = "en"


def new_message(
    rng: Random,
    *,
    sender: Sender,
    sender_ip: str,
    recipient: str,
    subject: str,
    received: datetime,
    urls: Sequence[str] = (),
    attachments: Sequence[FileSpec] = (),
    threats: Sequence[str] = (),
    methods: Sequence[str] = (),
) -> Message:
    """A message with fresh network and internet message ids."""
    return Message(
        network_message_id=new_guid(rng),
        internet_message_id=f"<{hex_string(rng, 24).upper()}@{sender.domain}>",
        subject=subject,
        sender=sender,
        sender_ip=sender_ip,
        recipient=recipient,
        received=received,
        urls=tuple(urls),
        attachments=tuple(attachments),
        threats=tuple(threats),
        detection_methods=tuple(methods),
    )


def campaign(rng: Random, template: Message, recipients: Sequence[str]) -> list[Message]:
    """One copy of ``template`` per recipient, received within a few seconds of each other."""
    copies = []
    for index, recipient in enumerate(recipients):
        received = template.received + timedelta(seconds=index * rng.uniform(0.5, 4.0))
        copies.append(
            replace(
                template,
                network_message_id=new_guid(rng),
                internet_message_id=f"<{hex_string(rng, 24).upper()}@{template.sender.domain}>",
                recipient=recipient,
                received=received,
            )
        )
    return copies


def message_evidence(
    message: Message,
    at: datetime,
    *,
    verdict: str = "malicious",
    remediation: str = "none",
    roles: Sequence[str] = (),
) -> Evidence:
    """``analyzedMessageEvidence`` for one copy of a message."""
    evidence = base(
        "analyzedMessageEvidence", at, verdict=verdict, remediation=remediation, roles=roles
    )
    evidence |= {
        "networkMessageId": message.network_message_id,
        "internetMessageId": message.internet_message_id,
        "subject": message.subject,
        "language": message.language,
        "senderIp": message.sender_ip,
        "recipientEmailAddress": message.recipient,
        "receivedDateTime": iso(message.received),
        "urls": list(message.urls),
        "urlCount": len(message.urls),
        "attachmentsCount": len(message.attachments),
        "threats": list(message.threats),
        "threatDetectionMethods": list(message.detection_methods),
        "p1Sender": message.sender.as_graph(),
        "p2Sender": message.sender.as_graph(),
        "antiSpamDirection": message.direction,
        "deliveryAction": message.delivery_action,
        "deliveryLocation": message.delivery_location,
    }
    return evidence


def attachment_evidence(spec: FileSpec, at: datetime, *, remediation: str) -> Evidence:
    """``fileEvidence`` for a mail attachment (not on any device)."""
    evidence = base(
        "fileEvidence", at, verdict="malicious", remediation=remediation, roles=("contextual",)
    )
    evidence |= {
        "fileDetails": file_details(spec),
        "detectionStatus": "detected",
        "mdeDeviceId": None,
    }
    return evidence


def cluster_evidence(
    rng: Random,
    messages: Sequence[Message],
    at: datetime,
    *,
    remediation: str = "remediated",
) -> Evidence:
    """``mailClusterEvidence`` grouping the copies of a campaign by subject and sender IP."""
    first = messages[0]
    evidence = base(
        "mailClusterEvidence",
        at,
        verdict="malicious",
        remediation=remediation,
        roles=("contextual",),
    )
    start, end = min(m.received for m in messages), max(m.received for m in messages)
    evidence |= {
        "clusterBy": "Subject;SenderIp",
        "clusterByValue": f"{first.subject};{first.sender_ip}",
        "emailCount": len(messages),
        "networkMessageIds": [m.network_message_id for m in messages],
        "query": (
            f'(Subject:"{first.subject}") AND (SenderIp:"{first.sender_ip}") '
            f"AND (Received>={iso(start)}) AND (Received<={iso(end)})"
        ),
        "threats": list(first.threats),
        "urn": f"urn:MailClusterEntity:{hex_string(rng, 32)}",
    }
    return evidence
