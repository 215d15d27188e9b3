"""The protocol's refusals: 401s with their own codes (``docs/agent-protocol.md``)."""

from __future__ import annotations

from autoir.domain.errors import AuthenticationRequired


class InvalidEnrollmentToken(AuthenticationRequired):
    """Unknown, expired, used up or revoked: one code, so that tokens cannot be probed."""

    code = "invalidToken"

    def __init__(self) -> None:
        super().__init__("The enrolment token is invalid, expired, used up or revoked.")


class InvalidDeviceCredential(AuthenticationRequired):
    """The device credential is unknown (or replaced by a re-enrolment, or offboarded)."""

    code = "invalidCredential"

    def __init__(self) -> None:
        super().__init__("The device credential is not valid; enrol the device again.")
