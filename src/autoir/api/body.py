"""Request-body reading with size limits and clear JSON errors."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request

from autoir.api.errors import BadRequest, PayloadTooLarge


async def read_json(request: Request, max_bytes: int) -> Any:  # noqa: ANN401 - arbitrary JSON
    """The decoded JSON body, or a 400/413 naming the problem."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(f"The body is {declared} bytes; the limit is {max_bytes}.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(f"The body exceeds the limit of {max_bytes} bytes.")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise BadRequest("The request body is empty; send a JSON object.")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"Malformed JSON: {exc}") from None


def require_object(body: Any, what: str) -> dict[str, Any]:  # noqa: ANN401
    """The body as a JSON object, or a 400."""
    if not isinstance(body, dict):
        raise BadRequest(f"The body must be a JSON object ({what}).")
    return body
