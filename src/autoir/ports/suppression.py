"""The suppression-rule repository port (issue 7)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from autoir.domain.alerts.record import AlertRecord
from autoir.domain.suppression.rule import StoredRule, SuppressionRule

RuleSetVersion = tuple[int, datetime | None]


class SuppressionRuleRepository(Protocol):
    """Suppression rules, their counters, and the alerts they suppressed."""

    def add(self, stored: StoredRule) -> None:
        """Insert a rule."""
        ...

    def replace(self, rule_id: str, rule: SuppressionRule, by: str, now: datetime) -> bool:
        """Replace a rule's document; False if there is no such rule."""
        ...

    def get(self, rule_id: str) -> StoredRule | None:
        """One rule."""
        ...

    def list_rules(self) -> list[StoredRule]:
        """Every rule, oldest first."""
        ...

    def delete(self, rule_id: str) -> bool:
        """Delete a rule; False if there was none."""
        ...

    def version(self) -> RuleSetVersion:
        """(count, latest update) of the rule set: a change of either means reload."""
        ...

    def all_rules(self) -> list[tuple[str, SuppressionRule]]:
        """Every rule's id and document, oldest first (the index drops inactive ones)."""
        ...

    def record_matches(self, matches: Mapping[str, tuple[int, datetime]]) -> None:
        """Add to each rule's match count and set its last match time."""
        ...

    def release_alerts(self, rule_id: str, now: datetime) -> list[int]:
        """Un-hide and reopen the alerts the rule suppressed; returns their incidents."""
        ...

    def alerts_since(
        self,
        since: datetime,
        service_sources: Sequence[str],
        detector_id: str | None,
        limit: int,
    ) -> Iterator[AlertRecord]:
        """Alerts created since ``since`` from these sources (and detector), newest first."""
        ...
