"""Step ``collect_alert_evidence``: the alerts' own evidence becomes investigation evidence."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from autoir.domain.alerts.enums import EvidenceRemediationStatus, EvidenceVerdict, parse_enum
from autoir.domain.alerts.evidence import (
    Entity,
    EntityKind,
    evidence_type_name,
    extract_entities,
)
from autoir.domain.investigations.evidence import EvidenceItem, EvidenceOrigin, evidence_key
from autoir.services.investigation_steps.contract import StepInput, StepOutput

# The entity that names an evidence item of each kind, by priority.
_KEY_KINDS = (
    EntityKind.NETWORK_MESSAGE_ID,
    EntityKind.URL,
    EntityKind.SHA256,
    EntityKind.SHA1,
    EntityKind.MD5,
    EntityKind.DEVICE,
    EntityKind.MAILBOX,
    EntityKind.USER,
    EntityKind.IP,
    EntityKind.FILE_NAME,
    EntityKind.CLOUD_APP,
    EntityKind.OAUTH_APP,
    EntityKind.REGISTRY_KEY,
)
_NAME_FIELDS = (
    "subject",
    "url",
    "deviceDnsName",
    "primaryAddress",
    "displayName",
    "ipAddress",
    "query",
    "registryKey",
)


def kind_of(type_name: str) -> str:
    """``analyzedMessageEvidence`` → ``analyzedMessage``."""
    return type_name.removesuffix("Evidence")


def item_from_evidence(
    evidence: Mapping[str, Any], *, origin: EvidenceOrigin, step_id: str
) -> tuple[EvidenceItem, tuple[Entity, ...]] | None:
    """One Graph evidence object as an investigation item, with the entities it names."""
    type_name = evidence_type_name(evidence.get("@odata.type"))
    if type_name is None:
        return None
    kind = kind_of(type_name)
    entities = extract_entities([evidence])
    by_kind = {entity.kind: entity for entity in entities}
    value = _identity(kind, evidence, by_kind)
    name = _name(kind, evidence, value)
    verdict = parse_enum(EvidenceVerdict, str(evidence.get("verdict") or "unknown"))
    remediation = parse_enum(
        EvidenceRemediationStatus, str(evidence.get("remediationStatus") or "none")
    )
    properties = {k: v for k, v in evidence.items() if k not in {"verdict", "remediationStatus"}}
    item = EvidenceItem(
        kind=kind,
        key=evidence_key(kind, value),
        name=name,
        properties=properties,
        verdict=verdict or EvidenceVerdict.UNKNOWN,
        remediation_status=remediation or EvidenceRemediationStatus.NONE,
        origin=origin,
        step_id=step_id,
    )
    return item, entities


def _identity(kind: str, evidence: Mapping[str, Any], by_kind: Mapping[EntityKind, Entity]) -> str:
    if kind == "process":
        image = evidence.get("imageFile") or {}
        parts = (
            str(evidence.get("mdeDeviceId") or ""),
            str(evidence.get("processId") or ""),
            str(image.get("sha256") or image.get("fileName") or ""),
            str(evidence.get("processCommandLine") or ""),
        )
        return "|".join(parts)
    if kind == "mailCluster":
        return str(evidence.get("query") or evidence.get("clusterByValue") or "")
    if kind == "device" and evidence.get("mdeDeviceId"):
        return str(evidence["mdeDeviceId"])  # the id telemetry and actions use, not the name
    preferred = {
        "analyzedMessage": EntityKind.NETWORK_MESSAGE_ID,
        "url": EntityKind.URL,
        "ip": EntityKind.IP,
        "device": EntityKind.DEVICE,
        "user": EntityKind.USER,
        "mailbox": EntityKind.MAILBOX,
    }.get(kind)
    if preferred is not None and preferred in by_kind:
        return by_kind[preferred].value
    for entity_kind in _KEY_KINDS:
        if entity_kind in by_kind:
            return by_kind[entity_kind].value
    digest = hashlib.sha1(repr(sorted(evidence.items())).encode(), usedforsecurity=False)
    return digest.hexdigest()


def _name(kind: str, evidence: Mapping[str, Any], value: str) -> str:
    if kind == "file":
        details = evidence.get("fileDetails") or {}
        return str(details.get("fileName") or value)
    if kind == "process":
        image = evidence.get("imageFile") or {}
        command = evidence.get("processCommandLine")
        return str(command or image.get("fileName") or value)
    if kind == "user":
        account = evidence.get("userAccount") or {}
        return str(account.get("userPrincipalName") or account.get("accountName") or value)
    for field in _NAME_FIELDS:
        text = evidence.get(field)
        if isinstance(text, str) and text:
            return text
    return value


def collect_alert_evidence(step: StepInput) -> StepOutput:
    """Every evidence object of every linked alert, deduplicated by key."""
    output = StepOutput()
    items: dict[str, EvidenceItem] = {}
    for alert in step.alerts:
        for evidence in alert.evidence:
            found = item_from_evidence(evidence, origin=EvidenceOrigin.ALERT, step_id=step.step.id)
            if found is None:
                continue
            item, entities = found
            link = f"alert:{alert.id}"
            previous = items.get(item.key, item)
            if link not in previous.related:
                previous = replace(previous, related=(*previous.related, link))
            items[item.key] = previous
            output.entities.extend(entity for entity in entities if entity.strong)
    output.evidence = list(items.values())
    output.summary = f"{len(items)} evidence items from {len(step.alerts)} alerts"
    return output
