"""Injected connector failures, so that service tests can exercise retries and failures."""

from __future__ import annotations

from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable


class FaultInjector:
    """Makes the next *n* connector calls fail before they act."""

    def __init__(self) -> None:
        self._remaining = 0
        self._transient = True

    def fail_next(self, n: int = 1, *, transient: bool = True) -> None:
        """Fail the next ``n`` calls: ``ConnectorUnavailable`` if transient, else rejected."""
        if n < 0:
            raise ValueError("n must not be negative")
        self._remaining = n
        self._transient = transient

    def check(self, call: str) -> None:
        """Raise the injected failure for ``call`` if one is due; otherwise do nothing."""
        if self._remaining == 0:
            return
        self._remaining -= 1
        if self._transient:
            raise ConnectorUnavailable(f"{call}: injected transient failure")
        raise ConnectorRejected(f"{call}: injected permanent failure")
