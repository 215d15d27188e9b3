"""List responses: ``value``, ``@odata.count`` and ``@odata.nextLink``."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from autoir.domain.queries.filters import ListQuery


def page_body(
    request: Request, query: ListQuery, items: list[dict[str, Any]], total: int | None, context: str
) -> dict[str, Any]:
    """Graph collection body with a next link when the page is full."""
    body: dict[str, Any] = {"@odata.context": context}
    if total is not None:
        body["@odata.count"] = total
    body["value"] = items
    more = len(items) == query.top and (total is None or query.skip + query.top < total)
    if more:
        next_url = request.url.include_query_params(
            **{"$skip": str(query.skip + query.top), "$top": str(query.top)}
        )
        body["@odata.nextLink"] = str(next_url)
    return body
