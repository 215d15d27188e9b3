"""The alert queue's filter form ↔ the OData options the API takes.

A form is read from the URL (so that views are shareable), turned into ``$filter`` and
``$orderby`` text, and parsed with :func:`autoir.odata.parse_list_query` like an API request.
A first visit (no ``f`` marker) shows the default view explicitly: last 30 days, New and
In progress, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from starlette.datastructures import QueryParams

from autoir.domain.alerts.enums import (
    AlertClassification,
    AlertSeverity,
    AlertStatus,
    DetectionSource,
    InvestigationState,
    ServiceSource,
)
from autoir.domain.queries.fields import ALERT_FIELDS
from autoir.domain.queries.filters import ListQuery
from autoir.odata import parse_list_query
from autoir.ui.filter_terms import (
    DEFAULT_PAGE_SIZE,
    ENTITY_TYPES,
    RANGE_OPTIONS,
    assigned_term,
    created_terms,
    encode,
    entity_term,
    enum_term,
    join_terms,
    offset,
    page_size,
    pick_enum,
)

DEFAULT_ORDER = "createdDateTime desc"
DEFAULT_STATUSES = (AlertStatus.NEW.value, AlertStatus.IN_PROGRESS.value)
DEFAULT_RANGE = "30d"
SORTABLE = frozenset(name for name, spec in ALERT_FIELDS.items() if spec.sortable)

# Counts shown on screens stop here ("10,000+"); exact counts of huge results cost too much.
COUNT_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class QueueForm:
    """The queue's filters, sort and page as the analyst chose them."""

    severity: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    detection: tuple[str, ...] = ()
    investigation: tuple[str, ...] = ()
    classification: tuple[str, ...] = ()
    assigned: str = ""
    entity: str = ""
    entity_type: str = "auto"
    created: str = "any"
    created_from: str = ""
    created_to: str = ""
    advanced: str = ""
    orderby: str = DEFAULT_ORDER
    top: int = DEFAULT_PAGE_SIZE
    skip: int = 0

    @classmethod
    def from_params(cls, params: QueryParams) -> QueueForm:
        """Read the form from query parameters; without ``f`` the default view is chosen."""
        submitted = params.get("f") is not None
        entity_type = params.get("entity_type") or "auto"
        created = params.get("created") or ("any" if submitted else DEFAULT_RANGE)
        orderby = (params.get("orderby") or DEFAULT_ORDER).strip()
        return cls(
            severity=pick_enum(AlertSeverity, params.getlist("severity")),
            status=(
                pick_enum(AlertStatus, params.getlist("status")) if submitted else DEFAULT_STATUSES
            ),
            service=pick_enum(ServiceSource, params.getlist("service")),
            detection=pick_enum(DetectionSource, params.getlist("detection")),
            investigation=pick_enum(InvestigationState, params.getlist("investigation")),
            classification=pick_enum(AlertClassification, params.getlist("classification")),
            assigned=(params.get("assigned") or "").strip(),
            entity=(params.get("entity") or "").strip(),
            entity_type=entity_type if entity_type in ENTITY_TYPES else "auto",
            created=created if created in RANGE_OPTIONS else DEFAULT_RANGE,
            created_from=(params.get("from") or "").strip(),
            created_to=(params.get("to") or "").strip(),
            advanced=(params.get("filter") or "").strip(),
            orderby=orderby if orderby.split(" ")[0] in SORTABLE else DEFAULT_ORDER,
            top=page_size(params.get("top")),
            skip=offset(params.get("skip")),
        )

    def odata_filter(self, now: datetime, me: str) -> str | None:
        """The ``$filter`` text of the chosen filters (None: the service's default view)."""
        dates, _ = created_terms(
            "createdDateTime", self.created, self.created_from, self.created_to, now
        )
        return join_terms(
            [
                enum_term("severity", self.severity),
                enum_term("status", self.status),
                enum_term("serviceSource", self.service),
                enum_term("detectionSource", self.detection),
                enum_term("investigationState", self.investigation),
                enum_term("classification", self.classification),
                assigned_term(self.assigned, me),
                entity_term(self.entity, self.entity_type),
                *dates,
            ],
            self.advanced,
        )

    def list_query(self, now: datetime, me: str, max_top: int) -> ListQuery:
        """The parsed query (raises ``QueryInvalid`` for a bad advanced filter)."""
        return parse_list_query(
            ALERT_FIELDS,
            filter_text=self.odata_filter(now, me),
            orderby=self.orderby,
            top=str(self.top),
            skip=str(self.skip),
            count="true",
            max_top=max_top,
            entity_filters=True,
        )

    def invalid_dates(self, now: datetime) -> list[str]:
        """Custom dates that could not be read (they are ignored)."""
        return created_terms(
            "createdDateTime", self.created, self.created_from, self.created_to, now
        )[1]

    @property
    def is_empty(self) -> bool:
        """No filter chosen at all: the service applies its default view."""
        return not any(
            (
                self.severity,
                self.status,
                self.service,
                self.detection,
                self.investigation,
                self.classification,
                self.assigned,
                self.entity,
                self.advanced,
                self.created != "any",
            )
        )

    def pairs(self) -> list[tuple[str, object]]:
        """The form as URL parameters (with the ``f`` marker)."""
        return [
            ("f", "1"),
            ("severity", self.severity),
            ("status", self.status),
            ("service", self.service),
            ("detection", self.detection),
            ("investigation", self.investigation),
            ("classification", self.classification),
            ("assigned", self.assigned),
            ("entity", self.entity),
            ("entity_type", "" if self.entity_type == "auto" else self.entity_type),
            ("created", self.created),
            ("from", self.created_from if self.created == "custom" else ""),
            ("to", self.created_to if self.created == "custom" else ""),
            ("filter", self.advanced),
            ("orderby", "" if self.orderby == DEFAULT_ORDER else self.orderby),
            ("top", "" if self.top == DEFAULT_PAGE_SIZE else self.top),
            ("skip", self.skip or ""),
        ]

    def url(self, **changes: object) -> str:
        """``/alerts?…`` for this form with some fields changed (sort, page…)."""
        form = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        return "/alerts?" + encode(form.pairs())

    def sort_url(self, field_name: str) -> str:
        """Sort by a column; a second click reverses the order."""
        current, _, direction = self.orderby.partition(" ")
        descending = not (current == field_name and direction == "desc")
        if current != field_name:
            descending = field_name.endswith("DateTime") or field_name == "severity"
        return self.url(orderby=f"{field_name} {'desc' if descending else 'asc'}", skip=0)

    def sort_state(self, field_name: str) -> str:
        """``ascending``/``descending`` when sorted by this column, else ``none`` (ARIA)."""
        current, _, direction = self.orderby.partition(" ")
        if current != field_name:
            return "none"
        return "descending" if direction == "desc" else "ascending"
