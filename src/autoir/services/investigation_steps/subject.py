"""Step ``collect_subject``: what an analyst asked to investigate becomes evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autoir.domain.alerts.evidence import Entity, EntityKind
from autoir.domain.investigations.evidence import EvidenceItem, EvidenceOrigin, evidence_key
from autoir.domain.investigations.graph_evidence import (
    device_properties,
    mailbox_properties,
    odata_type,
    user_properties,
)
from autoir.services.investigation_steps.contract import StepInput, StepOutput


def _message(value: str) -> dict[str, Any]:
    return {"@odata.type": odata_type("analyzedMessage"), "networkMessageId": value}


_KINDS: dict[str, tuple[str, Callable[[str], dict[str, Any]]]] = {
    EntityKind.NETWORK_MESSAGE_ID.value: ("analyzedMessage", _message),
    EntityKind.MAILBOX.value: ("mailbox", mailbox_properties),
    EntityKind.DEVICE.value: ("device", lambda value: device_properties(value, value)),
    EntityKind.USER.value: ("user", user_properties),
}


def collect_subject(step: StepInput) -> StepOutput:
    """The manual investigation's subject as evidence (nothing for alert-started runs)."""
    subject = step.investigation.subject
    kind_value = str(subject.get("kind", ""))
    value = str(subject.get("value", "")).strip()
    output = StepOutput(summary="no analyst-chosen subject")
    if kind_value not in _KINDS or not value:
        return output
    kind, properties = _KINDS[kind_value]
    output.evidence.append(
        EvidenceItem(
            kind=kind,
            key=evidence_key(kind, value),
            name=value,
            properties=properties(value),
            origin=EvidenceOrigin.EXPANSION,
            step_id=step.step.id,
        )
    )
    output.entities.append(Entity(EntityKind(kind_value), value.lower(), strong=True))
    output.summary = f"{kind} {value}"
    return output
