"""What an expansion step found, merged with the evidence the investigation already holds.

Items already in the investigation keep their origin, verdict and links; new properties are
added over the old ones and new links appended, so a step re-run after a worker died produces
the same items again (upserts are idempotent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from autoir.domain.alerts.evidence import Entity, EntityKind
from autoir.domain.investigations.evidence import (
    EvidenceItem,
    EvidenceOrigin,
    evidence_key,
    key_value,
)
from autoir.services.investigation_steps.contract import StepOutput


class Findings:
    """Items by key: the investigation's current ones, changed or added by this step."""

    def __init__(self, existing: Mapping[str, EvidenceItem], step_id: str) -> None:
        """Start from the investigation's evidence."""
        self._existing = existing
        self._step_id = step_id
        self._changed: dict[str, EvidenceItem] = {}
        self.entities: list[Entity] = []

    def get(self, key: str) -> EvidenceItem | None:
        """The item as it stands (changed by this step, or as stored)."""
        return self._changed.get(key) or self._existing.get(key)

    def add(
        self,
        kind: str,
        value: str,
        name: str,
        properties: Mapping[str, Any],
        *,
        related: tuple[str, ...] = (),
        entity: EntityKind | None = None,
    ) -> EvidenceItem:
        """Add or update the item ``kind:value``; returns it as it now stands."""
        key = evidence_key(kind, value)
        current = self.get(key)
        if current is None:
            item = EvidenceItem(
                kind=kind,
                key=key,
                name=name,
                properties=dict(properties),
                origin=EvidenceOrigin.EXPANSION,
                related=tuple(dict.fromkeys(related)),
                step_id=self._step_id,
            )
        else:
            merged = {
                **current.properties,
                **{k: v for k, v in properties.items() if v is not None},
            }
            links = tuple(dict.fromkeys((*current.related, *related)))
            if merged == dict(current.properties) and links == current.related:
                return current
            item = replace(current, properties=merged, related=links)
        self._changed[key] = item
        if entity is not None:
            self.entities.append(Entity(entity, value.strip().lower(), strong=True))
        return item

    def put(self, item: EvidenceItem) -> None:
        """Replace an item wholesale (a new verdict, say)."""
        self._changed[item.key] = item

    def link(self, source: str, target: str) -> None:
        """Add a graph edge ``source → target``: ``target`` lists ``source`` in ``related``."""
        current = self.get(target)
        if current is not None and source not in current.related:
            self._changed[target] = replace(current, related=(*current.related, source))

    def of_kind(self, kind: str) -> list[EvidenceItem]:
        """Every item of a kind, stored or found, in a stable order."""
        keys = dict.fromkeys([*self._existing, *self._changed])
        found = (self.get(key) for key in keys)
        return [item for item in found if item is not None and item.kind == kind]

    def output(self, summary: str) -> StepOutput:
        """The step's output: changed items and the entities they name."""
        return StepOutput(
            evidence=list(self._changed.values()), entities=self.entities, summary=summary
        )


def value_of(item: EvidenceItem) -> str:
    """The normalised value part of an item's key."""
    return key_value(item.key)


def network_id(item: EvidenceItem) -> str:
    """A message item's network message id as stored (the key holds it lower-cased)."""
    return str(item.properties.get("networkMessageId") or value_of(item))
