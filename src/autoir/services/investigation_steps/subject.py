"""Step ``collect_subject``: what an analyst asked to investigate becomes evidence."""

from __future__ import annotations

from autoir.domain.alerts.evidence import Entity, EntityKind
from autoir.domain.investigations.evidence import EvidenceItem, EvidenceOrigin, evidence_key
from autoir.services.investigation_steps.contract import StepInput, StepOutput

_KINDS = {
    EntityKind.NETWORK_MESSAGE_ID.value: ("analyzedMessage", "networkMessageId"),
    EntityKind.MAILBOX.value: ("mailbox", "primaryAddress"),
    EntityKind.DEVICE.value: ("device", "deviceDnsName"),
    EntityKind.USER.value: ("user", "userPrincipalName"),
}


def collect_subject(step: StepInput) -> StepOutput:
    """The manual investigation's subject as evidence (nothing for alert-started runs)."""
    subject = step.investigation.subject
    kind_value = str(subject.get("kind", ""))
    value = str(subject.get("value", "")).strip()
    output = StepOutput(summary="no analyst-chosen subject")
    if kind_value not in _KINDS or not value:
        return output
    kind, field = _KINDS[kind_value]
    output.evidence.append(
        EvidenceItem(
            kind=kind,
            key=evidence_key(kind, value),
            name=value,
            properties={field: value},
            origin=EvidenceOrigin.EXPANSION,
            step_id=step.step.id,
        )
    )
    output.entities.append(Entity(EntityKind(kind_value), value.lower(), strong=True))
    output.summary = f"{kind} {value}"
    return output
