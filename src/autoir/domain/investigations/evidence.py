"""Evidence as an investigation holds it: every item has a verdict, a remediation status, reasons.

``kind`` is the Graph evidence type without its namespace (``analyzedMessage``, ``mailCluster``,
``url``, ``file``, ``process``, ``device``, ``user``, ``mailbox``, ``ip``…); ``key`` identifies the
item inside its investigation (the same URL found twice is one item). ``properties`` hold the
Graph-shaped evidence fields; ``related`` the keys of the items it is linked to (graph edges).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from autoir.domain.alerts.enums import EvidenceRemediationStatus, EvidenceVerdict
from autoir.domain.verdicts.report import Reason


class EvidenceOrigin(StrEnum):
    """Where an item came from (the Evidence tab's "Detection origin")."""

    ALERT = "alert"
    EXPANSION = "expansion"
    ANALYSIS = "analysis"


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One piece of evidence inside an investigation."""

    kind: str
    key: str
    name: str
    properties: Mapping[str, Any] = field(default_factory=dict)
    verdict: EvidenceVerdict = EvidenceVerdict.UNKNOWN
    confidence: float = 0.0
    remediation_status: EvidenceRemediationStatus = EvidenceRemediationStatus.NONE
    reasons: tuple[Reason, ...] = ()
    origin: EvidenceOrigin = EvidenceOrigin.EXPANSION
    related: tuple[str, ...] = ()
    first_seen: datetime | None = None
    step_id: str | None = None

    @property
    def is_threat(self) -> bool:
        """Malicious or suspicious."""
        return self.verdict in {EvidenceVerdict.MALICIOUS, EvidenceVerdict.SUSPICIOUS}


def evidence_key(kind: str, value: str) -> str:
    """The identity of an item: kind plus its normalised value."""
    return f"{kind}:{value.strip().lower()}"


def key_value(key: str) -> str:
    """The normalised value of an item key: ``url:https://x`` → ``https://x``."""
    return key.split(":", 1)[1]
