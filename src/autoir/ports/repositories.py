"""Repository ports for alerts, incidents and access control."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from autoir.domain.access.permissions import Permission
from autoir.domain.alerts.draft import AlertDraft
from autoir.domain.alerts.evidence import Entity
from autoir.domain.alerts.record import AlertRecord, Comment
from autoir.domain.incidents.aggregate import IncidentStats
from autoir.domain.incidents.record import IncidentRecord
from autoir.domain.queries.filters import ListQuery

EntityKey = tuple[str, str]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AlertRef:
    """What ingest needs to know about an existing alert to update or fold into it."""

    id: str
    incident_id: int | None
    occurrences: int
    last_activity: datetime


@dataclass(frozen=True, slots=True)
class NewAlert:
    """A draft with its assigned id and incident, ready to insert."""

    id: str
    incident_id: int | None
    draft: AlertDraft


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, with the total when it was asked for."""

    items: list[T]
    total: int | None
    total_is_lower_bound: bool = False


@dataclass(frozen=True, slots=True)
class VolumeBucket:
    """Alert counts for one day and one (severity or source) value."""

    day: str
    key: str
    count: int


class AlertRepository(Protocol):
    """Alerts, their entities and comments."""

    def find_by_provider_keys(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], AlertRef]:
        """Existing alerts by (serviceSource, providerAlertId)."""
        ...

    def find_open_by_fingerprints(
        self, fingerprints: Sequence[str], since: datetime
    ) -> dict[str, AlertRef]:
        """Newest open alert per fingerprint with last activity at or after ``since``."""
        ...

    def insert(self, alerts: Sequence[NewAlert], tenant_id: str, now: datetime) -> None:
        """Insert new alerts with their entities and initial comments."""
        ...

    def update_from_source(self, alert_id: str, draft: AlertDraft, now: datetime) -> None:
        """Replace the source-owned properties of an alert the provider sent again."""
        ...

    def fold(self, alert_id: str, occurrences: int, last_activity: datetime, now: datetime) -> None:
        """Record a repeat of the alert."""
        ...

    def incidents_by_entities(
        self, keys: Sequence[EntityKey], since: datetime
    ) -> dict[EntityKey, list[tuple[int, datetime]]]:
        """Incidents of alerts created since ``since`` that name each key, with the latest time."""
        ...

    def get(self, alert_id: str) -> AlertRecord | None:
        """One alert."""
        ...

    def get_many(self, alert_ids: Sequence[str]) -> list[AlertRecord]:
        """Alerts by id, in no particular order."""
        ...

    def search(self, query: ListQuery) -> Page[AlertRecord]:
        """Alerts matching a query."""
        ...

    def ids_matching(self, query: ListQuery, limit: int) -> list[str]:
        """Ids of alerts matching a query's filter (for bulk operations)."""
        ...

    def update_fields(
        self, alert_ids: Sequence[str], changes: dict[str, Any], now: datetime
    ) -> None:
        """Set triage fields (status, assignedTo, classification, determination, tags, resolved)."""
        ...

    def add_comment(self, alert_id: str, comment: Comment) -> None:
        """Append a comment."""
        ...

    def comments(self, alert_ids: Sequence[str]) -> dict[str, list[Comment]]:
        """Comments per alert, oldest first."""
        ...

    def entities(self, alert_id: str) -> list[Entity]:
        """Entities the alert names."""
        ...

    def related_by_entities(
        self,
        entities: Sequence[EntityKey],
        exclude_id: str,
        since: datetime,
        until: datetime,
        limit: int,
    ) -> list[AlertRecord]:
        """Other alerts naming any of these entities in the time range, newest first."""
        ...

    def similar(self, type_key: str, exclude_id: str, limit: int) -> list[AlertRecord]:
        """Alerts of the same type (detector id or title), newest first."""
        ...

    def classification_counts(self, type_key: str) -> list[tuple[str | None, str | None, int]]:
        """(classification, determination, count) over alerts of this type that were classified."""
        ...

    def volume(self, since: datetime, by: str) -> list[VolumeBucket]:
        """Daily counts since ``since`` grouped by ``severity`` or ``serviceSource``."""
        ...

    def count_by(self, field: str, query: ListQuery) -> dict[str, int]:
        """Counts of the matching alerts per value of an enum field."""
        ...

    def for_incident(self, incident_id: int) -> list[AlertRecord]:
        """Alerts of an incident, oldest first."""
        ...

    def for_incidents(self, incident_ids: Sequence[int]) -> dict[int, list[AlertRecord]]:
        """Alerts of several incidents (one query per 500 incidents), oldest first."""
        ...

    def move_to_incident(self, from_incident: int, to_incident: int) -> None:
        """Re-home all alerts of one incident (on merge)."""
        ...


@dataclass(frozen=True, slots=True)
class NewIncident:
    """An incident to create, with the aggregates of its first alerts."""

    created: datetime
    stats: IncidentStats


class IncidentRepository(Protocol):
    """Incidents, their entity index and comments."""

    def open_under(self, incident_ids: Sequence[int], max_alerts: int) -> set[int]:
        """Those incidents that are still active and hold fewer than ``max_alerts`` alerts."""
        ...

    def create_many(
        self, incidents: Sequence[NewIncident], tenant_id: str, now: datetime
    ) -> list[int]:
        """Insert incidents; return their new ids in order."""
        ...

    def add_alerts(self, incident_id: int, stats: IncidentStats, now: datetime) -> None:
        """Fold the aggregates of newly joined alerts into an incident (reopening it if needed)."""
        ...

    def redirect(self, absorbed_id: int, into_id: int, now: datetime) -> None:
        """Mark an incident merged into another."""
        ...

    def refresh(self, incident_id: int, now: datetime) -> None:
        """Recount everything from the incident's alerts (after triage changes or merges)."""
        ...

    def get(self, incident_id: int) -> IncidentRecord | None:
        """One incident."""
        ...

    def search(self, query: ListQuery) -> Page[IncidentRecord]:
        """Incidents matching a query."""
        ...

    def update_fields(self, incident_id: int, changes: dict[str, Any], now: datetime) -> None:
        """Set triage fields."""
        ...

    def add_comment(self, incident_id: int, comment: Comment) -> None:
        """Append a comment."""
        ...

    def comments(self, incident_id: int) -> list[Comment]:
        """Comments, oldest first."""
        ...


@dataclass(frozen=True, slots=True)
class RoleRecord:
    """A role and its permissions."""

    id: int
    name: str
    description: str
    builtin: bool
    permissions: frozenset[Permission]


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user account."""

    id: int
    username: str
    display_name: str
    password_hash: str
    role: RoleRecord
    locale: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """An API token (its secret is only ever stored hashed)."""

    id: int
    name: str
    prefix: str
    role: RoleRecord
    created: datetime
    expires: datetime | None
    revoked: datetime | None
    last_used: datetime | None


class AccessRepository(Protocol):
    """Roles, users, API tokens and UI sessions."""

    def ensure_role(
        self, name: str, description: str, permissions: frozenset[Permission], *, builtin: bool
    ) -> RoleRecord:
        """Create or update a role by name."""
        ...

    def role(self, name: str) -> RoleRecord | None:
        """A role by name (case-insensitive)."""
        ...

    def roles(self) -> list[RoleRecord]:
        """All roles."""
        ...

    def create_user(
        self,
        username: str,
        display_name: str,
        password_hash: str,
        role_id: int,
        locale: str,
        now: datetime,
    ) -> UserRecord:
        """Insert a user."""
        ...

    def user_by_name(self, username: str) -> UserRecord | None:
        """A user by login name (case-insensitive)."""
        ...

    def user_by_id(self, user_id: int) -> UserRecord | None:
        """A user by id."""
        ...

    def set_user_password(self, user_id: int, password_hash: str) -> None:
        """Replace a user's password hash."""
        ...

    def set_user_locale(self, user_id: int, locale: str) -> None:
        """Change a user's UI language."""
        ...

    def users(self) -> list[UserRecord]:
        """All users."""
        ...

    def create_token(
        self,
        name: str,
        prefix: str,
        token_hash: str,
        role_id: int,
        created_by: int | None,
        now: datetime,
        expires: datetime | None,
    ) -> TokenRecord:
        """Insert a token."""
        ...

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        """A token by the hash of its secret."""
        ...

    def touch_token(self, token_id: int, now: datetime) -> None:
        """Record a use of the token."""
        ...

    def revoke_token(self, token_id: int, now: datetime) -> bool:
        """Revoke; False if it did not exist."""
        ...

    def tokens(self) -> list[TokenRecord]:
        """All tokens."""
        ...

    def create_session(
        self, session_hash: str, user_id: int, csrf_token: str, now: datetime, expires: datetime
    ) -> None:
        """Start a UI session."""
        ...

    def session(self, session_hash: str) -> tuple[int, str, datetime] | None:
        """(user id, csrf token, expiry) of a session."""
        ...

    def delete_session(self, session_hash: str) -> None:
        """End a UI session."""
        ...


class SystemSettingsRepository(Protocol):
    """Small key/value store for installation-wide values (tenant id, …)."""

    def get(self, key: str) -> str | None:
        """A value, or None."""
        ...

    def put(self, key: str, value: str) -> None:
        """Create or replace a value."""
        ...
