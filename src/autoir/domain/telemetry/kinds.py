"""The kinds of telemetry AutoIR keeps, spelled as in ``POST /api/v1/telemetry/{kind}``."""

from __future__ import annotations

from enum import StrEnum


class TelemetryKind(StrEnum):
    """One kind of telemetry record."""

    MESSAGES = "messages"
    URL_CLICKS = "urlClicks"
    ENDPOINT_EVENTS = "endpointEvents"
    SIGN_INS = "signIns"
