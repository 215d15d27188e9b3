"""SQL endpoint-agent repository: enrolment tokens and the device inventory."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from autoir.domain.agents.records import EnrolledDevice, EnrollmentToken
from autoir.storage.agent_tables import agent_devices as d
from autoir.storage.agent_tables import agent_enrollment_tokens as t
from autoir.storage.database import from_db_time, from_db_time_opt, to_db_time
from autoir.storage.repositories.rows import dumps, loads


def _token(row: object) -> EnrollmentToken:
    m = row._mapping  # type: ignore[attr-defined]
    return EnrollmentToken(
        id=m["id"],
        prefix=m["prefix"],
        created_by=m["created_by"],
        created=from_db_time(m["created_at"]),
        expires=from_db_time(m["expires_at"]),
        uses=m["uses"],
        used=m["used"],
        revoked=from_db_time_opt(m["revoked_at"]),
        last_used=from_db_time_opt(m["last_used_at"]),
    )


def _device(row: object) -> EnrolledDevice:
    m = row._mapping  # type: ignore[attr-defined]
    return EnrolledDevice(
        device_id=m["device_id"],
        machine_id=m["machine_id"],
        hostname=m["hostname"],
        os_platform=m["os_platform"],
        os_version=m["os_version"],
        os_build=m["os_build"],
        agent_version=m["agent_version"],
        ip_interfaces=tuple(loads(m["ip_interfaces"])),
        logged_on_users=tuple(loads(m["logged_on_users"])),
        first_seen=from_db_time(m["first_seen_at"]),
        last_seen=from_db_time(m["last_seen_at"]),
        enrolled=from_db_time(m["enrolled_at"]),
        last_ip=m["last_ip"],
        reported_health=m["reported_health"],
    )


def _device_columns(device: EnrolledDevice) -> dict[str, object]:
    return {
        "machine_id": device.machine_id,
        "hostname": device.hostname,
        "os_platform": device.os_platform,
        "os_version": device.os_version,
        "os_build": device.os_build,
        "agent_version": device.agent_version,
        "ip_interfaces": dumps(list(device.ip_interfaces)),
        "logged_on_users": dumps(list(device.logged_on_users)),
        "reported_health": device.reported_health,
        "last_ip": device.last_ip,
        "first_seen_at": to_db_time(device.first_seen),
        "last_seen_at": to_db_time(device.last_seen),
        "enrolled_at": to_db_time(device.enrolled),
    }


class SqlAgentRepository:
    """Tokens in ``agent_enrollment_tokens``, devices in ``agent_devices``."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add_token(self, token: EnrollmentToken, token_hash: str) -> None:
        self._c.execute(
            insert(t).values(
                id=token.id,
                prefix=token.prefix,
                token_hash=token_hash,
                created_by=token.created_by,
                created_at=to_db_time(token.created),
                expires_at=to_db_time(token.expires),
                uses=token.uses,
                used=token.used,
                revoked_at=None,
                last_used_at=None,
            )
        )

    def tokens(self) -> list[EnrollmentToken]:
        rows = self._c.execute(select(t).order_by(t.c.created_at.desc(), t.c.id.desc()))
        return [_token(row) for row in rows]

    def revoke_token(self, token_id: str, now: datetime) -> bool:
        result = self._c.execute(
            update(t)
            .where(t.c.id == token_id)
            .values(revoked_at=func.coalesce(t.c.revoked_at, to_db_time(now)))
        )
        return bool(result.rowcount)

    def consume_token(self, token_hash: str, now: datetime) -> bool:
        stamp = to_db_time(now)
        # One statement: two hosts racing for the last use cannot both win it.
        result = self._c.execute(
            update(t)
            .where(
                t.c.token_hash == token_hash,
                t.c.revoked_at.is_(None),
                t.c.expires_at > stamp,
                t.c.used < t.c.uses,
            )
            .values(used=t.c.used + 1, last_used_at=stamp)
        )
        return result.rowcount == 1

    def device(self, device_id: str) -> EnrolledDevice | None:
        row = self._c.execute(select(d).where(d.c.device_id == device_id)).first()
        return _device(row) if row else None

    def device_by_credential(self, credential_hash: str) -> EnrolledDevice | None:
        row = self._c.execute(select(d).where(d.c.credential_hash == credential_hash)).first()
        return _device(row) if row else None

    def save_device(self, device: EnrolledDevice, credential_hash: str | None) -> None:
        columns = _device_columns(device)
        if credential_hash is None:
            self._c.execute(update(d).where(d.c.device_id == device.device_id).values(**columns))
            return
        columns["credential_hash"] = credential_hash
        # An upsert: two enrolments of one host at once leave one row (the last credential
        # wins) instead of failing on the primary key; the first sighting stays.
        dialect = postgresql if self._c.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(d).values(device_id=device.device_id, **columns)
        stmt = stmt.on_conflict_do_update(
            index_elements=[d.c.device_id],
            set_={k: v for k, v in columns.items() if k != "first_seen_at"},
        )
        self._c.execute(stmt)

    def devices(self, limit: int, offset: int) -> list[EnrolledDevice]:
        rows = self._c.execute(
            select(d).order_by(d.c.last_seen_at.desc(), d.c.device_id).limit(limit).offset(offset)
        )
        return [_device(row) for row in rows]

    def count_devices(self, seen_since: datetime | None = None) -> int:
        stmt = select(func.count()).select_from(d)
        if seen_since is not None:
            stmt = stmt.where(d.c.last_seen_at >= to_db_time(seen_since))
        return int(self._c.execute(stmt).scalar_one())
