"""Alerts raised by mail read from the organisation's mailboxes, as Graph alert bodies.

* **User-reported phish**: a user forwards a message to the report mailbox (or files it in the
  report folder). One alert per report, detector ``autoir.email.user_report`` (the
  ``User-reported phish`` playbook's trigger), with the reported message and the reporter's
  mailbox as evidence. Its provider id is the report's own network message id, so reading the
  same report twice updates one alert.
* **Detection after delivery**: copies AutoIR judged malicious when it read them. Copies of one
  message (one Internet message id) found in one scan make one alert, detector
  ``autoir.email.post_delivery`` (the ``Malware or phish found after delivery`` playbook), whose
  evidence lists the copies (up to :data:`MAX_COPIES`; the investigation's cluster step finds
  the rest). Its title says what was found: malware in an attachment, a malicious URL, or phish.

Both come from the Microsoft Defender for Office 365 service source, so their ids start ``fa``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.investigations.graph_evidence import (
    file_properties,
    mailbox_properties,
    message_properties,
    url_properties,
)
from autoir.domain.messages.message import EmailMessage
from autoir.domain.timestamps import format_timestamp
from autoir.domain.verdicts.report import Reason

SERVICE_SOURCE = "microsoftDefenderForOffice365"
REPORT_DETECTOR = "autoir.email.user_report"
REPORT_TITLE = "Email reported by user as malware or phish"
DETECTION_DETECTOR = "autoir.email.post_delivery"
MALWARE_TITLE = "Email messages containing malware detected after delivery"
URL_TITLE = "Email messages containing malicious URL detected after delivery"
PHISH_TITLE = "Phishing email messages detected after delivery"
MAX_COPIES = 100
MAX_REASONS = 5


@dataclass(frozen=True, slots=True)
class Detection:
    """One copy judged a threat when it was read, with the reasons of the verdict."""

    message: EmailMessage
    verdict: EvidenceVerdict
    reasons: tuple[Reason, ...]


def report_alert(
    report_id: str,
    reporter: str,
    reported: Sequence[EmailMessage],
    referenced_ids: Sequence[str],
    reported_at: datetime,
    now: datetime,
) -> dict[str, Any]:
    """The alert for one user report (``report_id``: the report's network message id)."""
    evidence: list[dict[str, Any]] = [
        _evidence(mailbox_properties(reporter), now, "unknown", ("contextual",))
    ]
    # A reported message known only from the report's attachment has no network id here (its
    # bytes are not the copy in the mailbox): the investigation finds it by Internet message id.
    evidence += [
        _evidence(
            message_properties(message) | {"networkMessageId": message.network_message_id or None},
            now,
            "unknown",
            ("contextual",),
        )
        for message in reported
    ]
    for internet_id in referenced_ids:
        if not any(m.internet_message_id == internet_id for m in reported):
            properties = {
                "@odata.type": "#microsoft.graph.security.analyzedMessageEvidence",
                "internetMessageId": internet_id,
                "recipientEmailAddress": reporter,
            }
            evidence.append(_evidence(properties, now, "unknown", ("contextual",)))
    subject = reported[0].subject if reported else None
    about = f' "{subject}"' if subject else ""
    return {
        "providerAlertId": f"user-report:{report_id}",
        "serviceSource": SERVICE_SOURCE,
        "detectionSource": SERVICE_SOURCE,
        "productName": "AutoIR",
        "detectorId": REPORT_DETECTOR,
        "title": REPORT_TITLE,
        "description": f"{reporter} reported the message{about} as malware or phish.",
        "category": "InitialAccess",
        "severity": "informational",
        "mitreTechniques": ["T1566"],
        "createdDateTime": format_timestamp(now),
        "firstActivityDateTime": format_timestamp(reported_at),
        "lastActivityDateTime": format_timestamp(reported_at),
        "evidence": evidence,
    }


def detection_alert(scan_id: str, copies: Sequence[Detection], now: datetime) -> dict[str, Any]:
    """The alert for the copies of one message found malicious in scan ``scan_id``."""
    first = copies[0].message
    reasons = _top_reasons(copies)
    title = _title(reasons)
    kept = copies[:MAX_COPIES]
    mailboxes = dict.fromkeys(r for c in kept for r in c.message.recipients[:1])
    evidence = [
        *(
            _evidence(message_properties(c.message), now, c.verdict.value, ("attacked",))
            for c in kept
        ),
        *(_evidence(mailbox_properties(m), now, "unknown", ("attacked",)) for m in mailboxes),
        *(
            _evidence(url_properties(url), now, "unknown", ("contextual",))
            for url in dict.fromkeys(u.url for u in first.urls)
        ),
        *(
            _evidence(file_properties(a.name, a.sha256, a.size), now, "unknown", ("contextual",))
            for a in first.attachments
        ),
    ]
    key = first.internet_message_id or first.network_message_id
    received = [c.message.received_at for c in copies]
    because = "; ".join(r.text for r in reasons) or "analyzers judged it a threat"
    return {
        "providerAlertId": f"mail-detection:{scan_id}:{_digest(key)}",
        "serviceSource": SERVICE_SOURCE,
        "detectionSource": SERVICE_SOURCE,
        "productName": "AutoIR",
        "detectorId": DETECTION_DETECTOR,
        "title": title,
        "description": (
            f'{len(copies)} delivered copies of "{first.subject}" from '
            f"{first.sender_from_address or 'an unknown sender'} were judged "
            f"{copies[0].verdict.value}: {because}."
        ),
        "category": "InitialAccess",
        "severity": "high" if title == MALWARE_TITLE else "medium",
        "mitreTechniques": ["T1566.001" if title == MALWARE_TITLE else "T1566.002"],
        "createdDateTime": format_timestamp(now),
        "firstActivityDateTime": format_timestamp(min(received)),
        "lastActivityDateTime": format_timestamp(max(received)),
        "evidence": evidence,
    }


def group_detections(detections: Sequence[Detection]) -> list[list[Detection]]:
    """Copies of one message together (by Internet message id, else alone), in first-seen order."""
    groups: dict[str, list[Detection]] = {}
    for detection in detections:
        message = detection.message
        key = message.internet_message_id or f"nmid:{message.network_message_id}"
        groups.setdefault(key, []).append(detection)
    return list(groups.values())


def _title(reasons: Sequence[Reason]) -> str:
    codes = [r.code for r in reasons if r.verdict is EvidenceVerdict.MALICIOUS] or [
        r.code for r in reasons
    ]
    if any(code.startswith(("attachment.", "file.")) for code in codes):
        return MALWARE_TITLE
    if any(code.startswith("url.") for code in codes):
        return URL_TITLE
    return PHISH_TITLE


def _top_reasons(copies: Sequence[Detection]) -> list[Reason]:
    seen: dict[str, Reason] = {}
    for copy in copies:
        for reason in copy.reasons:
            if reason.verdict in {EvidenceVerdict.MALICIOUS, EvidenceVerdict.SUSPICIOUS}:
                seen.setdefault(reason.code, reason)
    ranked = sorted(seen.values(), key=lambda r: (r.verdict is not EvidenceVerdict.MALICIOUS,))
    return ranked[:MAX_REASONS]


def _evidence(
    properties: dict[str, Any], now: datetime, verdict: str, roles: Sequence[str]
) -> dict[str, Any]:
    return {
        **properties,
        "createdDateTime": format_timestamp(now),
        "verdict": verdict,
        "remediationStatus": "none",
        "roles": list(roles),
        "tags": [],
    }


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:24]
