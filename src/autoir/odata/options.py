"""Parse the query options of a list request."""

from __future__ import annotations

from autoir.domain.errors import QueryInvalid
from autoir.domain.queries.filters import FieldSpec, ListQuery, OrderBy
from autoir.odata.filter_translation import FilterTranslator, parse_filter_ast

DEFAULT_TOP = 50
_MAX_ORDER_WORDS = 2  # "property desc"


def parse_list_query(
    fields: dict[str, FieldSpec],
    *,
    filter_text: str | None,
    orderby: str | None,
    top: str | None,
    skip: str | None,
    count: str | None,
    max_top: int,
    entity_filters: bool = False,
) -> ListQuery:
    """Build a :class:`ListQuery` from raw option strings, or raise :class:`QueryInvalid`."""
    node = None
    if filter_text is not None and filter_text.strip():
        node = FilterTranslator(fields, entity_filters=entity_filters).translate(
            parse_filter_ast(filter_text)
        )
    order: list[OrderBy] = []
    if orderby:
        for term in orderby.split(","):
            words = term.split()
            if (
                not words
                or len(words) > _MAX_ORDER_WORDS
                or (len(words) == _MAX_ORDER_WORDS and words[1].lower() not in ("asc", "desc"))
            ):
                raise QueryInvalid(
                    "$orderby", f"cannot read '{term.strip()}'; use 'property [asc|desc]'"
                )
            spec = fields.get(words[0])
            if spec is None or not spec.sortable:
                sortable = ", ".join(name for name, s in fields.items() if s.sortable)
                raise QueryInvalid("$orderby", f"cannot sort by '{words[0]}'; sortable: {sortable}")
            order.append(
                OrderBy(spec.name, len(words) == _MAX_ORDER_WORDS and words[1].lower() == "desc")
            )
    top_value = _integer("$top", top, DEFAULT_TOP)
    if not 1 <= top_value <= max_top:
        raise QueryInvalid("$top", f"must be between 1 and {max_top}")
    skip_value = _integer("$skip", skip, 0)
    if skip_value < 0:
        raise QueryInvalid("$skip", "must not be negative")
    if count is not None and count.lower() not in ("true", "false"):
        raise QueryInvalid("$count", "must be true or false")
    return ListQuery(
        filter=node,
        order_by=tuple(order),
        top=top_value,
        skip=skip_value,
        count=count is not None and count.lower() == "true",
    )


def _integer(option: str, raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise QueryInvalid(option, f"must be a whole number, not '{raw}'") from None
