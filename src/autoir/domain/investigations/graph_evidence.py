"""Graph-shaped evidence properties for what investigations find in telemetry.

The shapes follow reference §1.6 (``analyzedMessageEvidence``, ``urlEvidence``,
``fileEvidence``, ``mailboxEvidence``, ``ipEvidence``, ``deviceEvidence``, ``processEvidence``,
``userEvidence``, ``mailClusterEvidence``) so the API returns what Graph clients read; extra
properties (authentication results, prevalence, ancestry) ride along under their own names.
"""

from __future__ import annotations

from typing import Any

from autoir.domain.messages.message import EmailMessage
from autoir.domain.telemetry.message_json import authentication_json
from autoir.domain.telemetry.process_tree import ProcessNode
from autoir.domain.timestamps import format_timestamp

NAMESPACE = "#microsoft.graph.security."


def odata_type(kind: str) -> str:
    """``url`` → ``#microsoft.graph.security.urlEvidence``."""
    return f"{NAMESPACE}{kind}Evidence"


def _party(address: str | None, display_name: str | None = None) -> dict[str, Any] | None:
    if not address:
        return None
    domain = address.rsplit("@", 1)[1] if "@" in address else None
    return {"emailAddress": address, "displayName": display_name, "domainName": domain}


def message_properties(message: EmailMessage) -> dict[str, Any]:
    """``analyzedMessageEvidence`` of one stored copy (first recipient; all under recipients)."""
    return {
        "@odata.type": odata_type("analyzedMessage"),
        "networkMessageId": message.network_message_id,
        "internetMessageId": message.internet_message_id,
        "subject": message.subject,
        "language": message.language,
        "senderIp": message.sender_ip,
        "recipientEmailAddress": message.recipients[0] if message.recipients else None,
        "recipients": list(message.recipients),
        "receivedDateTime": format_timestamp(message.received_at),
        "urls": [u.url for u in message.urls],
        "urlCount": len(message.urls),
        "attachmentsCount": len(message.attachments),
        "p1Sender": _party(message.sender_mail_from_address),
        "p2Sender": _party(message.sender_from_address, message.sender_display_name),
        "antiSpamDirection": message.direction.value,
        "deliveryAction": message.delivery_action.value,
        "deliveryLocation": message.delivery_location.value,
        "folder": message.folder,
        "authentication": authentication_json(message.authentication),
        "subjectFingerprint": message.subject_fingerprint,
        "bodyFingerprint": message.body_fingerprint,
    }


def url_properties(url: str) -> dict[str, Any]:
    """``urlEvidence``."""
    return {"@odata.type": odata_type("url"), "url": url}


def file_properties(
    name: str | None, sha256: str | None, size: int | None = None, path: str | None = None
) -> dict[str, Any]:
    """``fileEvidence`` with its ``fileDetails``."""
    return {
        "@odata.type": odata_type("file"),
        "fileDetails": {"fileName": name, "sha256": sha256, "fileSize": size, "filePath": path},
    }


def mailbox_properties(address: str, display_name: str | None = None) -> dict[str, Any]:
    """``mailboxEvidence``."""
    return {
        "@odata.type": odata_type("mailbox"),
        "primaryAddress": address,
        "displayName": display_name,
    }


def user_properties(user_principal_name: str) -> dict[str, Any]:
    """``userEvidence`` with its ``userAccount``."""
    name, _, domain = user_principal_name.partition("@")
    return {
        "@odata.type": odata_type("user"),
        "userAccount": {
            "userPrincipalName": user_principal_name,
            "accountName": name,
            "domainName": domain or None,
        },
    }


def ip_properties(address: str) -> dict[str, Any]:
    """``ipEvidence``."""
    return {"@odata.type": odata_type("ip"), "ipAddress": address}


def device_properties(device_id: str, name: str | None) -> dict[str, Any]:
    """``deviceEvidence``."""
    return {"@odata.type": odata_type("device"), "mdeDeviceId": device_id, "deviceDnsName": name}


def process_properties(
    device_id: str, node: ProcessNode, parent: ProcessNode | None
) -> dict[str, Any]:
    """``processEvidence`` from a process-tree node."""
    return {
        "@odata.type": odata_type("process"),
        "mdeDeviceId": device_id,
        "processId": node.process_id,
        "processCommandLine": node.command_line,
        "processCreationDateTime": format_timestamp(node.started_at),
        "imageFile": {"fileName": node.file_name, "sha256": node.sha256},
        "userAccount": {"accountName": node.account} if node.account else None,
        "parentProcessId": parent.process_id if parent else None,
        "parentProcessImageFile": {"fileName": parent.file_name} if parent else None,
        "parentProcessCommandLine": parent.command_line if parent else None,
    }
