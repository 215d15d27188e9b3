"""Users, roles, API tokens and UI sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from autoir.domain.access.permissions import BUILTIN_ROLES, Permission, Principal
from autoir.domain.errors import (
    AuthenticationRequired,
    Conflict,
    FieldError,
    NotFound,
    ValidationFailed,
)
from autoir.ports.repositories import RoleRecord, TokenRecord, UserRecord
from autoir.ports.security import PasswordHasher
from autoir.services.context import ServiceContext

TOKEN_PREFIX = "air_"  # noqa: S105 - a public marker, not a secret
LOCALES = ("en", "fr")
MIN_PASSWORD = 10


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy secret (tokens, session ids): fast and sufficient for them."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: the secret is shown once and never stored."""

    secret: str
    record: TokenRecord


@dataclass(frozen=True, slots=True)
class Session:
    """A UI session: the cookie value and its CSRF token."""

    cookie: str
    csrf_token: str
    principal: Principal


def principal_of(user: UserRecord) -> Principal:
    """The principal a user acts as."""
    return Principal(
        name=user.username,
        display_name=user.display_name,
        role=user.role.name,
        permissions=user.role.permissions,
        user_id=user.id,
        locale=user.locale,
    )


class AccessService:
    """Authentication and account management."""

    def __init__(self, ctx: ServiceContext, hasher: PasswordHasher) -> None:
        self._ctx = ctx
        self._hasher = hasher

    def ensure_builtin_roles(self) -> None:
        """Create or update the built-in roles (idempotent; runs at start-up)."""
        with self._ctx.uow() as uow:
            for name, (description, permissions) in BUILTIN_ROLES.items():
                uow.access.ensure_role(name, description, permissions, builtin=True)
            uow.commit()

    def create_role(self, name: str, permissions: list[str], description: str = "") -> RoleRecord:
        """A custom role composed of permissions."""
        perms: set[Permission] = set()
        errors = []
        for index, raw in enumerate(permissions):
            try:
                perms.add(Permission(raw))
            except ValueError:
                errors.append(
                    FieldError(
                        f"permissions[{index}]",
                        f"unknown permission {raw!r}; expected one of {', '.join(Permission)}",
                    )
                )
        if not name.strip():
            errors.append(FieldError("name", "is required"))
        if errors:
            raise ValidationFailed(errors)
        with self._ctx.uow() as uow:
            existing = uow.access.role(name)
            if existing is not None and existing.builtin:
                raise Conflict(f"'{name}' is a built-in role and cannot be redefined")
            role = uow.access.ensure_role(
                name.strip(), description, frozenset(perms), builtin=False
            )
            uow.commit()
        return role

    def roles(self) -> list[RoleRecord]:
        """All roles."""
        with self._ctx.read_uow() as uow:
            return uow.access.roles()

    def create_user(
        self,
        username: str,
        password: str,
        role: str,
        display_name: str | None = None,
        locale: str = "en",
    ) -> UserRecord:
        """Create a user; the password is stored hashed (argon2)."""
        errors = []
        if not username.strip():
            errors.append(FieldError("username", "is required"))
        if len(password) < MIN_PASSWORD:
            errors.append(FieldError("password", f"must be at least {MIN_PASSWORD} characters"))
        if locale not in LOCALES:
            errors.append(FieldError("locale", f"must be one of {', '.join(LOCALES)}"))
        if errors:
            raise ValidationFailed(errors)
        password_hash = self._hasher.hash(password)
        with self._ctx.uow() as uow:
            role_record = uow.access.role(role)
            if role_record is None:
                raise ValidationFailed(
                    [
                        FieldError(
                            "role",
                            f"unknown role {role!r}; roles: "
                            + ", ".join(r.name for r in uow.access.roles()),
                        )
                    ]
                )
            if uow.access.user_by_name(username) is not None:
                raise Conflict(f"user '{username}' already exists")
            user = uow.access.create_user(
                username.strip(),
                display_name or username.strip(),
                password_hash,
                role_record.id,
                locale,
                self._ctx.clock.now(),
            )
            uow.commit()
        return user

    def set_password(self, username: str, password: str) -> None:
        """Replace a user's password."""
        if len(password) < MIN_PASSWORD:
            raise ValidationFailed(
                [FieldError("password", f"must be at least {MIN_PASSWORD} characters")]
            )
        with self._ctx.uow() as uow:
            user = uow.access.user_by_name(username)
            if user is None:
                raise NotFound("user", username)
            uow.access.set_user_password(user.id, self._hasher.hash(password))
            uow.commit()

    def set_locale(self, user_id: int, locale: str) -> None:
        """Change a user's UI language."""
        if locale not in LOCALES:
            raise ValidationFailed([FieldError("locale", f"must be one of {', '.join(LOCALES)}")])
        with self._ctx.uow() as uow:
            uow.access.set_user_locale(user_id, locale)
            uow.commit()

    def users(self) -> list[UserRecord]:
        """All users."""
        with self._ctx.read_uow() as uow:
            return uow.access.users()

    def has_users(self) -> bool:
        """True once any user exists."""
        return bool(self.users())

    def issue_token(
        self, name: str, role: str, expires_in_days: int | None, created_by: int | None = None
    ) -> IssuedToken:
        """Create an API token bound to a role; returns the secret once."""
        if not name.strip():
            raise ValidationFailed([FieldError("name", "is required")])
        if expires_in_days is not None and expires_in_days <= 0:
            raise ValidationFailed(
                [FieldError("expiresInDays", "must be a positive number of days")]
            )
        secret = TOKEN_PREFIX + self._ctx.ids.token()
        now = self._ctx.clock.now()
        expires = now + timedelta(days=expires_in_days) if expires_in_days else None
        with self._ctx.uow() as uow:
            role_record = uow.access.role(role)
            if role_record is None:
                raise ValidationFailed(
                    [
                        FieldError(
                            "role",
                            f"unknown role {role!r}; roles: "
                            + ", ".join(r.name for r in uow.access.roles()),
                        )
                    ]
                )
            record = uow.access.create_token(
                name.strip(),
                secret[:10],
                hash_secret(secret),
                role_record.id,
                created_by,
                now,
                expires,
            )
            uow.commit()
        return IssuedToken(secret, record)

    def revoke_token(self, token_id: int) -> None:
        """Revoke a token at once."""
        with self._ctx.uow() as uow:
            if not uow.access.revoke_token(token_id, self._ctx.clock.now()):
                raise NotFound("token", str(token_id))
            uow.commit()

    def tokens(self) -> list[TokenRecord]:
        """All tokens (without secrets)."""
        with self._ctx.read_uow() as uow:
            return uow.access.tokens()

    def authenticate_token(self, secret: str) -> Principal:
        """The principal of a bearer token, or :class:`AuthenticationRequired`."""
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            record = uow.access.token_by_hash(hash_secret(secret))
            if (
                record is None
                or record.revoked is not None
                or (record.expires and record.expires <= now)
            ):
                raise AuthenticationRequired("The bearer token is invalid, expired or revoked.")
            if record.last_used is None or now - record.last_used > timedelta(minutes=1):
                uow.access.touch_token(record.id, now)
                uow.commit()
        return Principal(
            name=f"token:{record.name}",
            display_name=record.name,
            role=record.role.name,
            permissions=record.role.permissions,
            via_token=True,
        )

    def login(self, username: str, password: str) -> Session:
        """Check a password and open a UI session."""
        with self._ctx.read_uow() as uow:
            user = uow.access.user_by_name(username)
        if user is None or not user.is_active:
            # Hash anyway so that timing does not reveal which usernames exist.
            self._hasher.verify(self._hasher.hash("x" * MIN_PASSWORD), password)
            raise AuthenticationRequired("Unknown user or wrong password.")
        if not self._hasher.verify(user.password_hash, password):
            raise AuthenticationRequired("Unknown user or wrong password.")
        cookie = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            uow.access.create_session(
                hash_secret(cookie), user.id, csrf, now, now + self._ctx.policy.session_ttl
            )
            uow.commit()
        return Session(cookie, csrf, principal_of(user))

    def session(self, cookie: str) -> tuple[Principal, str]:
        """The principal and CSRF token of a session cookie."""
        now = self._ctx.clock.now()
        with self._ctx.read_uow() as uow:
            found = uow.access.session(hash_secret(cookie))
            if found is None:
                raise AuthenticationRequired("No session.")
            user_id, csrf, expires = found
            user = uow.access.user_by_id(user_id)
        if expires <= now or user is None or not user.is_active:
            raise AuthenticationRequired("The session has expired.")
        return principal_of(user), csrf

    def local_principal(self, username: str) -> Principal:
        """An active user acting from the command line on this installation's database.

        Whoever can run ``autoir`` against the database could change it directly; the CLI still
        acts as a named user so that decisions are attributed and permissions apply.
        """
        with self._ctx.read_uow() as uow:
            user = uow.access.user_by_name(username)
        if user is None or not user.is_active:
            raise AuthenticationRequired(f"No active user named {username!r}.")
        return principal_of(user)

    def logout(self, cookie: str) -> None:
        """End a session."""
        with self._ctx.uow() as uow:
            uow.access.delete_session(hash_secret(cookie))
            uow.commit()
