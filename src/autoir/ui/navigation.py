"""The product map as the left navigation shows it, and the areas not built yet.

Every area of the product has an entry; areas that this version does not provide lead to a page
that says so (no fake data).
"""

from __future__ import annotations

from dataclasses import dataclass

from autoir.domain.access.permissions import Permission
from autoir.ui.labels import N_


@dataclass(frozen=True, slots=True)
class NavItem:
    """One link of the left navigation."""

    key: str
    href: str
    label: str
    icon: str
    permission: Permission = Permission.READ_SECURITY_DATA
    shortcut: str | None = None


@dataclass(frozen=True, slots=True)
class NavGroup:
    """A titled group of links (the first group has no title)."""

    title: str | None
    items: tuple[NavItem, ...]


@dataclass(frozen=True, slots=True)
class PlannedArea:
    """An area that is part of the product map but not in this version yet."""

    key: str
    title: str
    summary: str
    permission: Permission


P = Permission

PLANNED: dict[str, PlannedArea] = {
    area.key: area
    for area in (
        PlannedArea(
            "hunting",
            N_("Explorer"),
            N_("Email and device telemetry: search messages, URL clicks and endpoint events."),
            P.READ_SECURITY_DATA,
        ),
        PlannedArea(
            "threat-intel",
            N_("Threat intelligence"),
            N_("Indicators (STIX, MISP, CSV), YARA and Sigma rules."),
            P.READ_SECURITY_DATA,
        ),
        PlannedArea(
            "tuning",
            N_("Tuning"),
            N_("Suppression rules and automation rules that triage alerts."),
            P.DETECTION_TUNING,
        ),
        PlannedArea(
            "audit",
            N_("Audit and SIEM feed"),
            N_(
                "The audit trail and the Management Activity API feed (subscriptions, "
                "content and webhooks)."
            ),
            P.AUDIT_READ,
        ),
    )
}

NAVIGATION: tuple[NavGroup, ...] = (
    NavGroup(
        None,
        (
            NavItem("dashboard", "/dashboard", N_("Dashboard"), "home", shortcut="g d"),
            NavItem("incidents", "/incidents", N_("Incidents"), "layers", shortcut="g i"),
            NavItem("alerts", "/alerts", N_("Alerts"), "bell", shortcut="g a"),
        ),
    ),
    NavGroup(
        N_("Investigation and response"),
        (
            NavItem(
                "investigations",
                "/investigations",
                N_("Investigations"),
                "search-flow",
                shortcut="g v",
            ),
            NavItem(
                "action-center",
                "/action-center",
                N_("Action center"),
                "check-list",
                shortcut="g c",
            ),
            NavItem("hunting", "/hunting", N_("Explorer"), "telescope"),
        ),
    ),
    NavGroup(
        N_("Assets and intelligence"),
        (
            NavItem("devices", "/devices", N_("Devices"), "laptop"),
            NavItem("threat-intel", "/threat-intel", N_("Threat intelligence"), "shield"),
        ),
    ),
    NavGroup(
        N_("Administration"),
        (
            NavItem("tuning", "/tuning", N_("Tuning"), "sliders", P.DETECTION_TUNING),
            NavItem("automation", "/settings/automation", N_("Automation"), "bolt"),
            NavItem("audit", "/audit", N_("Audit and SIEM feed"), "scroll", P.AUDIT_READ),
            NavItem("settings", "/settings", N_("Settings"), "gear", P.SETTINGS),
        ),
    ),
)
