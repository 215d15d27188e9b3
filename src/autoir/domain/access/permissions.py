"""Permissions, built-in roles and the principal a request acts as."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Permission(StrEnum):
    """What a role may do. Every route declares exactly one of these (or is public)."""

    READ_SECURITY_DATA = "read_security_data"
    MANAGE_ALERTS = "manage_alerts"
    RESPONSE_ACTIONS = "response_actions"
    LIVE_RESPONSE = "live_response"
    EMAIL_QUARANTINE = "email_quarantine"
    EMAIL_ADVANCED_ACTIONS = "email_advanced_actions"
    DETECTION_TUNING = "detection_tuning"
    SETTINGS = "settings"
    AUDIT_READ = "audit_read"
    ACTIVITY_FEED_READ = "activity_feed_read"


P = Permission
_ALL = frozenset(Permission)

# Built-in roles of reference §6.1, mapped onto AutoIR permissions.
BUILTIN_ROLES: dict[str, tuple[str, frozenset[Permission]]] = {
    "Global administrator": ("Everything, including users, roles and settings.", _ALL),
    "Security administrator": ("Manages security features, alerts, actions and settings.", _ALL),
    "Security operator": (
        "Triages alerts, runs investigations and takes response actions.",
        frozenset(
            {
                P.READ_SECURITY_DATA,
                P.MANAGE_ALERTS,
                P.RESPONSE_ACTIONS,
                P.LIVE_RESPONSE,
                P.EMAIL_QUARANTINE,
                P.EMAIL_ADVANCED_ACTIONS,
                P.DETECTION_TUNING,
            }
        ),
    ),
    "Global reader": (
        "Reads everything, changes nothing.",
        frozenset({P.READ_SECURITY_DATA, P.AUDIT_READ, P.ACTIVITY_FEED_READ}),
    ),
    "Security reader": ("Reads security data.", frozenset({P.READ_SECURITY_DATA})),
    "Compliance administrator": (
        "Reads security data and the audit trail.",
        frozenset({P.READ_SECURITY_DATA, P.AUDIT_READ, P.ACTIVITY_FEED_READ}),
    ),
    "Organization management": (
        "Email and collaboration role group: alerts, email actions, tuning and settings.",
        frozenset(
            {
                P.READ_SECURITY_DATA,
                P.MANAGE_ALERTS,
                P.RESPONSE_ACTIONS,
                P.EMAIL_QUARANTINE,
                P.EMAIL_ADVANCED_ACTIONS,
                P.DETECTION_TUNING,
                P.SETTINGS,
                P.AUDIT_READ,
                P.ACTIVITY_FEED_READ,
            }
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: a user (session or token) with its role's permissions."""

    name: str
    display_name: str
    role: str
    permissions: frozenset[Permission]
    user_id: int | None = None
    locale: str = "en"
    via_token: bool = False

    def can(self, permission: Permission) -> bool:
        """True when the role grants ``permission``."""
        return permission in self.permissions
