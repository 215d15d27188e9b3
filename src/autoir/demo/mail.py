"""E-mail messages and their evidence (``analyzedMessageEvidence``, ``mailClusterEvidence``)."""

from __future__ import annotations

import hashlib
import re
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
class Auth:
    """SPF, DKIM, DMARC and composite authentication results of a message."""

    spf: str = "pass"
    dkim: str = "pass"
    dmarc: str = "pass"
    compauth: str = "pass"

    def as_json(self) -> dict[str, str]:
        """The ``authentication`` object of a message event."""
        return {"spf": self.spf, "dkim": self.dkim, "dmarc": self.dmarc, "compauth": self.compauth}


AUTH_PASS = Auth()
# A throw-away look-alike domain: SPF passes (the attacker owns it), nothing else is set up.
AUTH_LOOKALIKE = Auth(spf="pass", dkim="none", dmarc="none", compauth="fail")
# A real domain forged from someone else's server.
AUTH_SPOOFED = Auth(spf="fail", dkim="none", dmarc="fail", compauth="fail")
_DIGITS = re.compile(r"\d+")


def body_fingerprint(*parts: str) -> str:
    """A stand-in for a body similarity hash: the same for messages built from one template."""
    text = "|".join(_DIGITS.sub("#", part.lower()) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Message:
    """One delivered copy of a message (one recipient, one network message id).

    ``mail_from`` is the P1 (envelope) sender when it differs from the P2 ``sender``;
    ``body`` the body fingerprint shared by copies of one template.
    """

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
    mail_from: str | None = None
    auth: Auth = AUTH_PASS
    body: str = ""


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
    mail_from: str | None = None,
    auth: Auth = AUTH_PASS,
    body: str | None = None,
) -> Message:
    """A message with fresh network and internet message ids.

    The body fingerprint defaults to one derived from the sender's domain, the subject (digits
    folded) and the URLs' hosts, so that messages from one template share it.
    """
    hosts = sorted({u.split("/")[2] for u in urls if u.count("/") >= 2})
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
        mail_from=mail_from,
        auth=auth,
        body=body or body_fingerprint(sender.domain, subject, *hosts),
    )


def campaign(
    rng: Random, template: Message, recipients: Sequence[str], *, one_send: bool = False
) -> list[Message]:
    """One copy of ``template`` per recipient, received within a few seconds of each other.

    A mass mailer sends one message per recipient (a fresh Internet message id each); with
    ``one_send`` the copies are of a single message to many recipients (Bcc), which share the
    template's Internet message id.
    """
    copies = []
    for index, recipient in enumerate(recipients):
        received = template.received + timedelta(seconds=index * rng.uniform(0.5, 4.0))
        internet_id = (
            template.internet_message_id
            if one_send
            else f"<{hex_string(rng, 24).upper()}@{template.sender.domain}>"
        )
        copies.append(
            replace(
                template,
                network_message_id=new_guid(rng),
                internet_message_id=internet_id,
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
        "p1Sender": (
            Sender(message.mail_from, message.sender.display_name)
            if message.mail_from
            else message.sender
        ).as_graph(),
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
