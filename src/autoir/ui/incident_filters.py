"""The incident list's filter form ↔ OData options (as :mod:`autoir.ui.queue_filters`).

Merged (redirected) incidents are hidden unless the analyst asks to see them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from starlette.datastructures import QueryParams

from autoir.domain.alerts.enums import AlertClassification, AlertSeverity, IncidentStatus
from autoir.domain.queries.fields import INCIDENT_FIELDS
from autoir.domain.queries.filters import ListQuery
from autoir.odata import parse_list_query
from autoir.ui.filter_terms import (
    DEFAULT_PAGE_SIZE,
    assigned_term,
    encode,
    enum_term,
    join_terms,
    offset,
    page_size,
    pick_enum,
    quote,
)

DEFAULT_ORDER = "lastUpdateDateTime desc"
SORTABLE = frozenset(name for name, spec in INCIDENT_FIELDS.items() if spec.sortable)


@dataclass(frozen=True, slots=True)
class IncidentForm:
    """Filters, sort and page of the incident list."""

    status: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()
    classification: tuple[str, ...] = ()
    assigned: str = ""
    search: str = ""
    show_merged: bool = False
    orderby: str = DEFAULT_ORDER
    top: int = DEFAULT_PAGE_SIZE
    skip: int = 0

    @classmethod
    def from_params(cls, params: QueryParams) -> IncidentForm:
        """Read the form from query parameters."""
        orderby = (params.get("orderby") or DEFAULT_ORDER).strip()
        return cls(
            status=pick_enum(IncidentStatus, params.getlist("status")),
            severity=pick_enum(AlertSeverity, params.getlist("severity")),
            classification=pick_enum(AlertClassification, params.getlist("classification")),
            assigned=(params.get("assigned") or "").strip(),
            search=(params.get("q") or "").strip(),
            show_merged=params.get("merged") == "1",
            orderby=orderby if orderby.split(" ")[0] in SORTABLE else DEFAULT_ORDER,
            top=page_size(params.get("top")),
            skip=offset(params.get("skip")),
        )

    def odata_filter(self, me: str) -> str | None:
        """The ``$filter`` text."""
        hide_merged = not self.show_merged and IncidentStatus.REDIRECTED.value not in self.status
        search = self.search.lstrip("#")
        return join_terms(
            [
                enum_term("status", self.status),
                "status ne 'redirected'" if hide_merged else None,
                enum_term("severity", self.severity),
                enum_term("classification", self.classification),
                assigned_term(self.assigned, me),
                (
                    (f"id eq {int(search)}" if search.isdigit() else None)
                    or (f"contains(displayName, {quote(search)})" if search else None)
                ),
            ]
        )

    def list_query(self, me: str, max_top: int) -> ListQuery:
        """The parsed query."""
        return parse_list_query(
            INCIDENT_FIELDS,
            filter_text=self.odata_filter(me),
            orderby=self.orderby,
            top=str(self.top),
            skip=str(self.skip),
            count="true",
            max_top=max_top,
        )

    def url(self, **changes: object) -> str:
        """``/incidents?…`` with some fields changed."""
        form = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        return "/incidents?" + encode(
            [
                ("status", form.status),
                ("severity", form.severity),
                ("classification", form.classification),
                ("assigned", form.assigned),
                ("q", form.search),
                ("merged", "1" if form.show_merged else ""),
                ("orderby", "" if form.orderby == DEFAULT_ORDER else form.orderby),
                ("top", "" if form.top == DEFAULT_PAGE_SIZE else form.top),
                ("skip", form.skip or ""),
            ]
        )

    def sort_url(self, field_name: str) -> str:
        """Sort by a column; a second click reverses the order."""
        current, _, direction = self.orderby.partition(" ")
        descending = not (current == field_name and direction == "desc")
        if current != field_name:
            descending = field_name.endswith("DateTime") or field_name in ("severity", "id")
        return self.url(orderby=f"{field_name} {'desc' if descending else 'asc'}", skip=0)

    def sort_state(self, field_name: str) -> str:
        """ARIA sort state of a column."""
        current, _, direction = self.orderby.partition(" ")
        if current != field_name:
            return "none"
        return "descending" if direction == "desc" else "ascending"
