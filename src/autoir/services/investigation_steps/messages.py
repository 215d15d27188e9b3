"""Step ``locate_messages``: the alert's messages found in telemetry, with what they carry.

An ``analyzedMessageEvidence`` is matched to stored message events by ``networkMessageId``, then
by ``internetMessageId`` (a user-reported copy, or a source that only knows the Message-ID
header). Every stored copy of the same Internet message id — the same mail delivered to other
recipients — joins as evidence too. Each message adds its URLs, attachments, recipients'
mailboxes and sender IP as linked evidence.
"""

from __future__ import annotations

from autoir.domain.alerts.evidence import EntityKind
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.investigations.graph_evidence import (
    file_properties,
    ip_properties,
    mailbox_properties,
    message_properties,
    url_properties,
)
from autoir.domain.messages.message import EmailMessage
from autoir.domain.telemetry.normalize import normalize_sha256, normalize_url
from autoir.services.investigation_steps.contract import StepInput, StepOutput
from autoir.services.investigation_steps.findings import Findings, network_id

MAX_COPIES = 500
MAX_URLS_PER_MESSAGE = 50


def _find(step: StepInput, item: EvidenceItem, max_copies: int) -> tuple[list[EmailMessage], str]:
    telemetry = step.uow.telemetry
    internet_id = item.properties.get("internetMessageId")
    found = telemetry.messages_by_network_ids([network_id(item)])
    how = "networkMessageId" if found else ""
    if not internet_id and found:
        internet_id = found[0].internet_message_id
    if internet_id:
        copies = telemetry.messages_by_internet_id(str(internet_id), max_copies)
        if copies and not found:
            how = "internetMessageId"
        known = {m.network_message_id for m in found}
        found.extend(m for m in copies if m.network_message_id not in known)
    return found, how


def add_message(findings: Findings, message: EmailMessage, related: tuple[str, ...] = ()) -> str:
    """One stored message and what it carries as linked evidence; returns the message's key."""
    item = findings.add(
        "analyzedMessage",
        message.network_message_id,
        message.subject or message.network_message_id,
        message_properties(message),
        related=related,
        entity=EntityKind.NETWORK_MESSAGE_ID,
    )
    for raw in list(dict.fromkeys(u.url for u in message.urls))[:MAX_URLS_PER_MESSAGE]:
        url = normalize_url(raw)
        if url:
            findings.link(item.key, findings.add("url", url, raw, url_properties(raw)).key)
    for attachment in message.attachments:
        sha = normalize_sha256(attachment.sha256)
        if sha:
            found = findings.add(
                "file",
                sha,
                attachment.name or sha,
                file_properties(attachment.name, sha, attachment.size),
                entity=EntityKind.SHA256,
            )
            findings.link(item.key, found.key)
    for recipient in message.recipients:
        findings.add(
            "mailbox",
            recipient,
            recipient,
            mailbox_properties(recipient),
            related=(item.key,),
            entity=EntityKind.MAILBOX,
        )
    if message.sender_ip:
        findings.link(
            item.key,
            findings.add(
                "ip", message.sender_ip, message.sender_ip, ip_properties(message.sender_ip)
            ).key,
        )
    return item.key


def locate_messages(step: StepInput) -> StepOutput:
    """Match message evidence to telemetry (params: ``max_copies``)."""
    max_copies = int(step.step.params.get("max_copies", MAX_COPIES))
    findings = Findings(step.evidence, step.step.id)
    located = 0
    missing: list[str] = []
    by_internet_id = 0
    for item in [i for i in step.evidence.values() if i.kind == "analyzedMessage"]:
        messages, how = _find(step, item, max_copies)
        if not messages:
            missing.append(item.name)
            continue
        by_internet_id += how == "internetMessageId"
        for message in messages:
            key = add_message(findings, message)
            located += 1
            if key != item.key:
                findings.link(item.key, key)
    summary = f"{located} stored messages located"
    if by_internet_id:
        summary += f" ({by_internet_id} by internetMessageId)"
    if missing:
        summary += f"; not in telemetry: {len(missing)} ({', '.join(missing[:3])})"
    return findings.output(summary)
