"""The Action Center's filter form ↔ the options of ``GET /api/v1/actions`` (reference §3.2).

The form writes what a REST client would send: ``tab`` (pending or history), ``timeRange`` (by
last update) and a ``$filter`` on action type, status and source. The export link is the API's
CSV route with the same options (it accepts the UI session cookie).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from starlette.datastructures import QueryParams

from autoir.domain.queries.fields import ACTION_FIELDS
from autoir.domain.remediation.catalog import ActionType
from autoir.domain.remediation.lifecycle import ActionSource, ActionStatus
from autoir.odata import parse_list_query
from autoir.ports.actions import ActionSearch
from autoir.ui.filter_terms import (
    DEFAULT_PAGE_SIZE,
    encode,
    enum_term,
    join_terms,
    offset,
    page_size,
    pick_enum,
)

TAB_STATUSES = {
    "pending": frozenset({ActionStatus.PENDING}),
    "history": frozenset(s for s in ActionStatus if s.is_history),
}
TABS = tuple(TAB_STATUSES)
TIME_RANGES = {
    "day": timedelta(days=1),
    "week": timedelta(days=7),
    "month": timedelta(days=30),
    "6months": timedelta(days=182),
}
DEFAULT_RANGE = "month"
DEFAULT_ORDER = "lastUpdateDateTime desc"
SORTABLE = frozenset(name for name, spec in ACTION_FIELDS.items() if spec.sortable)
HISTORY_STATUSES = tuple(s.value for s in ActionStatus if s.is_history)
EXPORT_URL = "/api/v1/actions/export.csv"


@dataclass(frozen=True, slots=True)
class ActionForm:
    """Tab, filters, sort and page of the Action Center."""

    tab: str = "pending"
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    time_range: str = DEFAULT_RANGE
    orderby: str = DEFAULT_ORDER
    top: int = DEFAULT_PAGE_SIZE
    skip: int = 0

    @classmethod
    def from_params(cls, params: QueryParams) -> ActionForm:
        """Read the form from query parameters (unknown values are dropped)."""
        tab = params.get("tab") or "pending"
        tab = tab if tab in TAB_STATUSES else "pending"
        time_range = params.get("range") or DEFAULT_RANGE
        orderby = (params.get("orderby") or DEFAULT_ORDER).strip()
        statuses = pick_enum(ActionStatus, params.getlist("status")) if tab == "history" else ()
        return cls(
            tab=tab,
            types=pick_enum(ActionType, params.getlist("type")),
            statuses=tuple(s for s in statuses if s in HISTORY_STATUSES),
            sources=pick_enum(ActionSource, params.getlist("source")),
            time_range=time_range if time_range in TIME_RANGES else DEFAULT_RANGE,
            orderby=orderby if orderby.split(" ")[0] in SORTABLE else DEFAULT_ORDER,
            top=page_size(params.get("top")),
            skip=offset(params.get("skip")),
        )

    def odata_filter(self) -> str | None:
        """The ``$filter`` text (the tab and time range are separate API options)."""
        return join_terms(
            [
                enum_term("actionType", self.types),
                enum_term("status", self.statuses),
                enum_term("actionSource", self.sources),
            ]
        )

    def since(self, now: datetime) -> datetime:
        """The oldest last update the chosen time range shows."""
        return now - TIME_RANGES[self.time_range]

    def search(self, now: datetime, max_top: int, *, top: int | None = None) -> ActionSearch:
        """The search for this page (``top`` overrides the page size, e.g. for the chart)."""
        query = parse_list_query(
            ACTION_FIELDS,
            filter_text=self.odata_filter(),
            orderby=self.orderby,
            top=str(top or self.top),
            skip=None if top else str(self.skip),
            count="true",
            max_top=max(max_top, top or 0),
        )
        return ActionSearch(query, TAB_STATUSES[self.tab], self.since(now))

    def url(self, **changes: object) -> str:
        """``/action-center?…`` with some fields changed."""
        form = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        return "/action-center?" + encode(
            [
                ("tab", form.tab),
                ("type", form.types),
                ("status", form.statuses if form.tab == "history" else ()),
                ("source", form.sources),
                ("range", "" if form.time_range == DEFAULT_RANGE else form.time_range),
                ("orderby", "" if form.orderby == DEFAULT_ORDER else form.orderby),
                ("top", "" if form.top == DEFAULT_PAGE_SIZE else form.top),
                ("skip", form.skip or ""),
            ]
        )

    def export_url(self) -> str:
        """The API's CSV export with the same tab, time range, filter and order."""
        return (
            EXPORT_URL
            + "?"
            + encode(
                [
                    ("tab", self.tab),
                    ("timeRange", self.time_range),
                    ("$filter", self.odata_filter() or ""),
                    ("$orderby", self.orderby),
                ]
            )
        )

    def sort_url(self, field_name: str) -> str:
        """Sort by a column; a second click reverses the order."""
        current, _, direction = self.orderby.partition(" ")
        descending = not (current == field_name and direction == "desc")
        if current != field_name:
            descending = field_name.endswith("DateTime")
        return self.url(orderby=f"{field_name} {'desc' if descending else 'asc'}", skip=0)

    def sort_state(self, field_name: str) -> str:
        """ARIA sort state of a column."""
        current, _, direction = self.orderby.partition(" ")
        if current != field_name:
            return "none"
        return "descending" if direction == "desc" else "ascending"
