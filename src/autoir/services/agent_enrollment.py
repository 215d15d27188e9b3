"""Endpoint agents (issue 6): one-time enrolment tokens, enrolment, heartbeats, the inventory.

The contract is ``docs/agent-protocol.md``. Secrets (enrolment tokens, device credentials) are
random 256-bit values shown once; only their SHA-256 is stored (:func:`hash_secret`). A token
is used up in one conditional UPDATE, so two hosts cannot both take its last use. A host that
enrols again with the same ``machineId`` keeps its ``deviceId`` (see
:func:`~autoir.domain.agents.records.device_id_for`) and gets a new credential; the old one no
longer matches the row and stops working at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from autoir.domain.access.permissions import Principal
from autoir.domain.agents.errors import InvalidDeviceCredential, InvalidEnrollmentToken
from autoir.domain.agents.messages import parse_enrollment, parse_heartbeat, token_request
from autoir.domain.agents.records import (
    MISSED_HEARTBEATS,
    PROTOCOL_VERSION,
    EnrolledDevice,
    EnrollmentToken,
    device_id_for,
)
from autoir.domain.errors import FieldError, NotFound, ValidationFailed
from autoir.domain.remediation.automation import AutomationPolicy
from autoir.domain.remediation.device_groups import DeviceFacts
from autoir.domain.timestamps import format_timestamp
from autoir.services.access import hash_secret
from autoir.services.context import ServiceContext

TOKEN_PREFIX = "aet_"  # noqa: S105 - a public marker of enrolment tokens, not a secret


class AgentService:
    """Enrolment tokens for administrators; enrolment and heartbeats for agents; the inventory."""

    def __init__(
        self,
        ctx: ServiceContext,
        heartbeat_seconds: int,
        policy: Callable[[], AutomationPolicy] = AutomationPolicy,
    ) -> None:
        """``policy`` gives the automation policy whose device group names ``rbacGroupName``."""
        self._ctx = ctx
        self.heartbeat_seconds = heartbeat_seconds
        self._interval = timedelta(seconds=heartbeat_seconds)
        self._policy = policy

    # Enrolment tokens -------------------------------------------------------------------

    def issue_token(
        self, principal: Principal, expires_in_hours: object = None, uses: object = None
    ) -> tuple[EnrollmentToken, str]:
        """A new token and its secret (returned once; only its SHA-256 is kept).

        ``expires_in_hours`` defaults to 24 (at most 720), ``uses`` to 1 (at most 10,000).

        Raises:
            ValidationFailed: ``expiresInHours`` or ``uses`` out of range.
        """
        request = token_request(expires_in_hours, uses)
        secret = TOKEN_PREFIX + self._ctx.ids.token()
        now = self._ctx.clock.now()
        record = EnrollmentToken(
            id=self._ctx.ids.guid(),
            prefix=secret[:10],
            created_by=principal.name,
            created=now,
            expires=now + timedelta(hours=request.expires_in_hours),
            uses=request.uses,
        )
        with self._ctx.uow() as uow:
            uow.agents.add_token(record, hash_secret(secret))
            uow.commit()
        return record, secret

    def tokens(self) -> list[EnrollmentToken]:
        """Every token, newest first (never a secret)."""
        with self._ctx.read_uow() as uow:
            return uow.agents.tokens()

    def token_json(self, token: EnrollmentToken) -> dict[str, Any]:
        """A token's API shape, its state as of now."""
        return token.to_json(self._ctx.clock.now())

    def revoke_token(self, token_id: str) -> None:
        """Revoke a token at once (it can no longer enrol anything)."""
        with self._ctx.uow() as uow:
            if not uow.agents.revoke_token(token_id, self._ctx.clock.now()):
                raise NotFound("enrollmentToken", token_id)
            uow.commit()

    # The agent protocol -----------------------------------------------------------------

    def enroll(self, body: Mapping[str, Any], client_ip: str | None = None) -> dict[str, Any]:
        """``POST /agent/v1/enroll``: use the token once, give the host its id and credential.

        Raises:
            ValidationFailed: a bad body (nothing is used up).
            InvalidEnrollmentToken: unknown, expired, used up or revoked.
        """
        enrollment = parse_enrollment(body)
        now = self._ctx.clock.now()
        credential = self._ctx.ids.token()
        device_id = device_id_for(
            self._ctx.policy.tenant_id, enrollment.machine_id, self._ctx.ids.guid()
        )
        with self._ctx.uow() as uow:
            if not uow.agents.consume_token(hash_secret(enrollment.token), now):
                raise InvalidEnrollmentToken
            existing = uow.agents.device(device_id)
            device = EnrolledDevice(
                device_id=device_id,
                machine_id=enrollment.machine_id,
                hostname=enrollment.hostname,
                os_platform=enrollment.os_platform,
                os_version=enrollment.os_version,
                os_build=existing.os_build if existing else None,
                agent_version=enrollment.agent_version,
                ip_interfaces=existing.ip_interfaces if existing else (),
                logged_on_users=existing.logged_on_users if existing else (),
                first_seen=existing.first_seen if existing else now,
                last_seen=now,
                enrolled=now,
                last_ip=client_ip,
            )
            uow.agents.save_device(device, hash_secret(credential))
            uow.commit()
        return {
            "deviceId": device_id,
            "credential": credential,
            "heartbeatSeconds": self.heartbeat_seconds,
            "protocolVersion": PROTOCOL_VERSION,
        }

    def authenticate(self, credential: str) -> EnrolledDevice:
        """The device whose current credential this is, or :class:`InvalidDeviceCredential`."""
        if not credential:
            raise InvalidDeviceCredential
        with self._ctx.read_uow() as uow:
            device = uow.agents.device_by_credential(hash_secret(credential))
        if device is None:
            raise InvalidDeviceCredential
        return device

    def heartbeat(
        self, credential: str, body: Mapping[str, Any], client_ip: str | None = None
    ) -> dict[str, Any]:
        """``POST /agent/v1/heartbeat``: record the host's facts and ``lastSeenDateTime``.

        The credential is checked before the body, so that a caller without one learns
        nothing. A ``deviceId`` that is not the credential's device is refused like a bad
        credential.
        """
        device = self.authenticate(credential)
        beat = parse_heartbeat(body)
        if beat.device_id != device.device_id:
            raise InvalidDeviceCredential
        now = self._ctx.clock.now()
        updated = replace(
            device,
            hostname=beat.hostname or device.hostname,
            os_platform=beat.os_platform or device.os_platform,
            os_version=beat.os_version or device.os_version,
            os_build=beat.os_build or device.os_build,
            agent_version=beat.agent_version or device.agent_version,
            ip_interfaces=device.ip_interfaces
            if beat.ip_interfaces is None
            else beat.ip_interfaces,
            logged_on_users=device.logged_on_users
            if beat.logged_on_users is None
            else beat.logged_on_users,
            reported_health=beat.health_status or device.reported_health,
            last_seen=now,
            last_ip=client_ip or device.last_ip,
        )
        with self._ctx.uow() as uow:
            # Re-checked in the writing transaction: a re-enrolment may have replaced it.
            if uow.agents.device_by_credential(hash_secret(credential)) is None:
                raise InvalidDeviceCredential
            uow.agents.save_device(updated, None)
            uow.commit()
        return {
            "heartbeatSeconds": self.heartbeat_seconds,
            "serverDateTime": format_timestamp(now),
            "commands": [],
        }

    # The inventory ----------------------------------------------------------------------

    def devices(self, limit: int = 100, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """A page of devices as ``deviceEvidence`` (most recently seen first), and the total."""
        errors = []
        if not 1 <= limit <= self._ctx.policy.max_page:
            errors.append(FieldError("$top", f"must be from 1 to {self._ctx.policy.max_page}"))
        if offset < 0:
            errors.append(FieldError("$skip", "must not be negative"))
        if errors:
            raise ValidationFailed(errors)
        with self._ctx.read_uow() as uow:
            page = uow.agents.devices(limit, offset)
            total = uow.agents.count_devices()
        policy = self._policy()
        return [self._evidence(device, policy) for device in page], total

    def health_counts(self) -> dict[str, int]:
        """How many devices are active and inactive now (two counts, no device read)."""
        since = self._ctx.clock.now() - self._interval * MISSED_HEARTBEATS
        with self._ctx.read_uow() as uow:
            total = uow.agents.count_devices()
            active = uow.agents.count_devices(seen_since=since)
        return {"active": active, "inactive": total - active}

    def device(self, device_id: str) -> dict[str, Any]:
        """One device as ``deviceEvidence``."""
        with self._ctx.read_uow() as uow:
            device = uow.agents.device(device_id.lower())
        if device is None:
            raise NotFound("device", device_id)
        return self._evidence(device, self._policy())

    def _evidence(self, device: EnrolledDevice, policy: AutomationPolicy) -> dict[str, Any]:
        evidence = device.to_evidence(self._ctx.clock.now(), self._interval)
        evidence["rbacGroupName"] = policy.group_for(DeviceFacts.from_evidence(evidence)).name
        return evidence
