"""SQL repository for roles, users, API tokens, UI sessions and system settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from autoir.domain.access.permissions import Permission
from autoir.ports.repositories import RoleRecord, TokenRecord, UserRecord
from autoir.storage import tables
from autoir.storage.database import from_db_time, from_db_time_opt, to_db_time
from autoir.storage.repositories.rows import dumps, loads

r, u, t, s = tables.roles, tables.users, tables.api_tokens, tables.ui_sessions


def _role(row: Row[Any]) -> RoleRecord:
    m = row._mapping
    return RoleRecord(
        m["id"],
        m["name"],
        m["description"],
        bool(m["builtin"]),
        frozenset(Permission(p) for p in loads(m["permissions"])),
    )


class SqlAccessRepository:
    """Access-control records."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def ensure_role(
        self,
        name: str,
        description: str,
        permissions: frozenset[Permission],
        *,
        builtin: bool,
    ) -> RoleRecord:
        perms = dumps(sorted(p.value for p in permissions))
        existing = self.role(name)
        if existing is None:
            self._c.execute(
                insert(r).values(
                    name=name, description=description, builtin=builtin, permissions=perms
                )
            )
        else:
            self._c.execute(
                update(r)
                .where(r.c.id == existing.id)
                .values(description=description, builtin=builtin, permissions=perms)
            )
        role = self.role(name)
        assert role is not None
        return role

    def role(self, name: str) -> RoleRecord | None:
        row = self._c.execute(select(r).where(func.lower(r.c.name) == name.lower())).first()
        return _role(row) if row else None

    def roles(self) -> list[RoleRecord]:
        return [_role(row) for row in self._c.execute(select(r).order_by(r.c.id))]

    def _user(self, row: Row[Any] | None) -> UserRecord | None:
        if row is None:
            return None
        m = row._mapping
        role_row = self._c.execute(select(r).where(r.c.id == m["role_id"])).one()
        return UserRecord(
            m["id"],
            m["username"],
            m["display_name"],
            m["password_hash"],
            _role(role_row),
            m["locale"],
            bool(m["is_active"]),
        )

    def create_user(
        self,
        username: str,
        display_name: str,
        password_hash: str,
        role_id: int,
        locale: str,
        now: datetime,
    ) -> UserRecord:
        result = self._c.execute(
            insert(u)
            .values(
                username=username,
                display_name=display_name,
                password_hash=password_hash,
                role_id=role_id,
                locale=locale,
                is_active=True,
                created_at=to_db_time(now),
            )
            .returning(u.c.id)
        )
        user = self.user_by_id(int(result.scalar_one()))
        assert user is not None
        return user

    def user_by_name(self, username: str) -> UserRecord | None:
        return self._user(
            self._c.execute(select(u).where(func.lower(u.c.username) == username.lower())).first()
        )

    def user_by_id(self, user_id: int) -> UserRecord | None:
        return self._user(self._c.execute(select(u).where(u.c.id == user_id)).first())

    def set_user_password(self, user_id: int, password_hash: str) -> None:
        self._c.execute(update(u).where(u.c.id == user_id).values(password_hash=password_hash))

    def set_user_locale(self, user_id: int, locale: str) -> None:
        self._c.execute(update(u).where(u.c.id == user_id).values(locale=locale))

    def users(self) -> list[UserRecord]:
        rows = self._c.execute(select(u).order_by(u.c.username)).all()
        return [user for row in rows if (user := self._user(row)) is not None]

    def _token(self, row: Row[Any]) -> TokenRecord:
        m = row._mapping
        role_row = self._c.execute(select(r).where(r.c.id == m["role_id"])).one()
        return TokenRecord(
            m["id"],
            m["name"],
            m["prefix"],
            _role(role_row),
            from_db_time(m["created_at"]),
            from_db_time_opt(m["expires_at"]),
            from_db_time_opt(m["revoked_at"]),
            from_db_time_opt(m["last_used_at"]),
        )

    def create_token(
        self,
        name: str,
        prefix: str,
        token_hash: str,
        role_id: int,
        created_by: int | None,
        now: datetime,
        expires: datetime | None,
    ) -> TokenRecord:
        result = self._c.execute(
            insert(t)
            .values(
                name=name,
                prefix=prefix,
                token_hash=token_hash,
                role_id=role_id,
                created_by=created_by,
                created_at=to_db_time(now),
                expires_at=to_db_time(expires) if expires else None,
            )
            .returning(t.c.id)
        )
        token_id = int(result.scalar_one())
        return self._token(self._c.execute(select(t).where(t.c.id == token_id)).one())

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        row = self._c.execute(select(t).where(t.c.token_hash == token_hash)).first()
        return self._token(row) if row else None

    def touch_token(self, token_id: int, now: datetime) -> None:
        self._c.execute(update(t).where(t.c.id == token_id).values(last_used_at=to_db_time(now)))

    def revoke_token(self, token_id: int, now: datetime) -> bool:
        result = self._c.execute(
            update(t)
            .where(t.c.id == token_id, t.c.revoked_at.is_(None))
            .values(revoked_at=to_db_time(now))
        )
        return result.rowcount > 0

    def tokens(self) -> list[TokenRecord]:
        return [self._token(row) for row in self._c.execute(select(t).order_by(t.c.id)).all()]

    def create_session(
        self,
        session_hash: str,
        user_id: int,
        csrf_token: str,
        now: datetime,
        expires: datetime,
    ) -> None:
        self._c.execute(
            insert(s).values(
                session_hash=session_hash,
                user_id=user_id,
                csrf_token=csrf_token,
                created_at=to_db_time(now),
                expires_at=to_db_time(expires),
            )
        )

    def session(self, session_hash: str) -> tuple[int, str, datetime] | None:
        row = self._c.execute(
            select(s.c.user_id, s.c.csrf_token, s.c.expires_at).where(
                s.c.session_hash == session_hash
            )
        ).first()
        return (row[0], row[1], from_db_time(row[2])) if row else None

    def delete_session(self, session_hash: str) -> None:
        self._c.execute(delete(s).where(s.c.session_hash == session_hash))


class SqlSystemSettingsRepository:
    """Key/value installation settings."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, key: str) -> str | None:
        value = self._c.execute(
            select(tables.system_settings.c.value).where(tables.system_settings.c.key == key)
        ).scalar()
        return None if value is None else str(value)

    def put(self, key: str, value: str) -> None:
        table = tables.system_settings
        done = self._c.execute(update(table).where(table.c.key == key).values(value=value))
        if done.rowcount == 0:
            self._c.execute(insert(table).values(key=key, value=value))
