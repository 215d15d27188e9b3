"""The investigation list's filter form ↔ OData options (as :mod:`autoir.ui.queue_filters`).

The form writes the ``$filter`` a client of ``GET /api/v1/investigations`` would send: status
and type lists, a creation time range, a name/ID search and an entity (the investigation's
entity keys, as the API's ``evidence/any(…)`` filter).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from starlette.datastructures import QueryParams

from autoir.domain.investigations.enums import InvestigationStatus, InvestigationType
from autoir.domain.queries.fields import INVESTIGATION_FIELDS
from autoir.domain.queries.filters import ListQuery
from autoir.odata import parse_list_query
from autoir.ui.filter_terms import (
    DEFAULT_PAGE_SIZE,
    RANGE_OPTIONS,
    RANGES,
    created_terms,
    encode,
    entity_term,
    enum_term,
    join_terms,
    offset,
    page_size,
    pick_enum,
    quote,
)

DEFAULT_ORDER = "createdDateTime desc"
DEFAULT_RANGE = "30d"
SORTABLE = frozenset(name for name, spec in INVESTIGATION_FIELDS.items() if spec.sortable)
_GUID_CHARS = frozenset("0123456789abcdef-")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class InvestigationForm:
    """Filters, sort and page of the investigation list."""

    status: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    created: str = DEFAULT_RANGE
    created_from: str = ""
    created_to: str = ""
    search: str = ""
    entity: str = ""
    orderby: str = DEFAULT_ORDER
    top: int = DEFAULT_PAGE_SIZE
    skip: int = 0

    @classmethod
    def from_params(cls, params: QueryParams) -> InvestigationForm:
        """Read the form from query parameters (unknown values are dropped)."""
        orderby = (params.get("orderby") or DEFAULT_ORDER).strip()
        created = params.get("created") or DEFAULT_RANGE
        return cls(
            status=pick_enum(InvestigationStatus, params.getlist("status")),
            kind=pick_enum(InvestigationType, params.getlist("type")),
            created=created if created in RANGE_OPTIONS else DEFAULT_RANGE,
            created_from=(params.get("from") or "").strip(),
            created_to=(params.get("to") or "").strip(),
            search=(params.get("q") or "").strip(),
            entity=(params.get("entity") or "").strip(),
            orderby=orderby if orderby.split(" ")[0] in SORTABLE else DEFAULT_ORDER,
            top=page_size(params.get("top")),
            skip=offset(params.get("skip")),
        )

    def _search_term(self) -> str | None:
        if not self.search:
            return None
        name = f"contains(displayName, {quote(self.search)})"
        if set(self.search.lower()) <= _GUID_CHARS and len(self.search) >= 8:  # noqa: PLR2004
            return f"(id eq {quote(self.search.lower())} or {name})"
        return name

    def odata_filter(self, now: datetime) -> str | None:
        """The ``$filter`` text."""
        created, _ = created_terms(
            "createdDateTime", self.created, self.created_from, self.created_to, now
        )
        return join_terms(
            [
                enum_term("status", self.status),
                enum_term("investigationType", self.kind),
                *created,
                self._search_term(),
                entity_term(self.entity, "auto"),
            ]
        )

    def invalid_dates(self, now: datetime) -> list[str]:
        """Custom dates that are not ``YYYY-MM-DD``."""
        return created_terms(
            "createdDateTime", self.created, self.created_from, self.created_to, now
        )[1]

    def since(self, now: datetime) -> datetime:
        """The start of the chosen time range (for the status breakdown)."""
        if self.created in RANGES:
            return now - RANGES[self.created]
        if self.created == "custom" and self.created_from:
            try:
                return datetime.fromisoformat(self.created_from).replace(tzinfo=UTC)
            except ValueError:
                return EPOCH
        return EPOCH

    def list_query(self, now: datetime, max_top: int) -> ListQuery:
        """The parsed query."""
        return parse_list_query(
            INVESTIGATION_FIELDS,
            filter_text=self.odata_filter(now),
            orderby=self.orderby,
            top=str(self.top),
            skip=str(self.skip),
            count="true",
            max_top=max_top,
            entity_filters=True,
        )

    def url(self, **changes: object) -> str:
        """``/investigations?…`` with some fields changed."""
        form = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        return "/investigations?" + encode(
            [
                ("status", form.status),
                ("type", form.kind),
                ("created", "" if form.created == DEFAULT_RANGE else form.created),
                ("from", form.created_from if form.created == "custom" else ""),
                ("to", form.created_to if form.created == "custom" else ""),
                ("q", form.search),
                ("entity", form.entity),
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
            descending = field_name.endswith(("DateTime", "Count"))
        return self.url(orderby=f"{field_name} {'desc' if descending else 'asc'}", skip=0)

    def sort_state(self, field_name: str) -> str:
        """ARIA sort state of a column."""
        current, _, direction = self.orderby.partition(" ")
        if current != field_name:
            return "none"
        return "descending" if direction == "desc" else "ascending"
