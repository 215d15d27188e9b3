"""The endpoint-agent repository port (issue 6): enrolment tokens and the device inventory."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from autoir.domain.agents.records import EnrolledDevice, EnrollmentToken


class AgentRepository(Protocol):
    """Enrolment tokens (by the SHA-256 of their secret) and enrolled devices."""

    def add_token(self, token: EnrollmentToken, token_hash: str) -> None:
        """Store a new token."""
        ...

    def tokens(self) -> list[EnrollmentToken]:
        """Every token, newest first."""
        ...

    def revoke_token(self, token_id: str, now: datetime) -> bool:
        """Revoke a token; False if there is no such token."""
        ...

    def consume_token(self, token_hash: str, now: datetime) -> bool:
        """Use the token once if it is unrevoked, unexpired and not used up (atomically)."""
        ...

    def device(self, device_id: str) -> EnrolledDevice | None:
        """One device."""
        ...

    def device_by_credential(self, credential_hash: str) -> EnrolledDevice | None:
        """The device whose current credential has this SHA-256."""
        ...

    def save_device(self, device: EnrolledDevice, credential_hash: str | None) -> None:
        """Insert or replace a device's row; a credential hash replaces the stored one."""
        ...

    def devices(self, limit: int, offset: int) -> list[EnrolledDevice]:
        """A page of devices, most recently seen first."""
        ...

    def count_devices(self, seen_since: datetime | None = None) -> int:
        """How many devices are enrolled (only those seen since ``seen_since`` when given)."""
        ...
