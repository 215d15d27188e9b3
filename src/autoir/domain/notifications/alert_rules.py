"""Alert notification rules: who in the SOC gets a mail when an alert arrives (reference §6).

As Defender's "Email notifications" for alerts: each rule names recipients, the severities and
service sources it covers (none listed = all) and the language of its mail; a new alert that a
rule covers sends that rule's recipients one mail. Hidden (suppressed) alerts and alerts created
resolved send nothing.

Rule JSON::

    {"name": "SOC on-call", "enabled": true, "recipients": ["soc@contoso.com"],
     "severities": ["high", "medium"], "serviceSources": [], "locale": "en"}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from string import Template
from typing import Any, TypeVar

from autoir.domain.alerts.enums import AlertSeverity, AlertStatus, ServiceSource
from autoir.domain.alerts.record import AlertRecord
from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.notifications.recipients import is_email_address
from autoir.domain.timestamps import format_timestamp

MAX_RULES = 50
MAX_RULE_RECIPIENTS = 100
MAX_NAME = 100
SEVERITIES = (
    AlertSeverity.HIGH,
    AlertSeverity.MEDIUM,
    AlertSeverity.LOW,
    AlertSeverity.INFORMATIONAL,
)
LOCALES = ("en", "fr")
_E = TypeVar("_E", AlertSeverity, ServiceSource)


@dataclass(frozen=True, slots=True)
class AlertNotificationRule:
    """One rule; ``service_sources`` empty covers every source."""

    name: str
    recipients: tuple[str, ...]
    severities: frozenset[AlertSeverity]
    service_sources: frozenset[ServiceSource] = frozenset()
    locale: str = "en"
    enabled: bool = True

    def covers(self, alert: AlertRecord) -> bool:
        """Whether a new ``alert`` sends this rule's mail."""
        if not self.enabled or alert.hidden or alert.status is AlertStatus.RESOLVED:
            return False
        if alert.severity not in self.severities:
            return False
        return not self.service_sources or alert.service_source in self.service_sources

    def to_json(self) -> dict[str, Any]:
        """The stored and API shape."""
        return {
            "name": self.name,
            "enabled": self.enabled,
            "recipients": list(self.recipients),
            "severities": [s.value for s in SEVERITIES if s in self.severities],
            "serviceSources": sorted(s.value for s in self.service_sources),
            "locale": self.locale,
        }


def parse_rules(body: object) -> list[AlertNotificationRule]:
    """A JSON list of rules, all checked; ValidationFailed names every bad field."""
    if not isinstance(body, list):
        raise ValidationFailed([FieldError("value", "expected a JSON list of rules")])
    if len(body) > MAX_RULES:
        raise ValidationFailed([FieldError("value", f"at most {MAX_RULES} rules")])
    errors: list[FieldError] = []
    rules = [_rule(raw, f"[{i}]", errors) for i, raw in enumerate(body)]
    names = [_name_of(raw) for raw in body]
    for index, name in enumerate(names):
        if name and names.count(name) > 1:
            errors.append(FieldError(f"[{index}].name", f"two rules are named {name!r}"))
    if errors:
        raise ValidationFailed(errors)
    return [r for r in rules if r is not None]


def _name_of(raw: object) -> str | None:
    """A rule's name as names are compared (trimmed, case-insensitive), when it has one."""
    name = raw.get("name") if isinstance(raw, Mapping) else None
    return name.strip().lower() if isinstance(name, str) and name.strip() else None


def _rule(raw: object, at: str, errors: list[FieldError]) -> AlertNotificationRule | None:
    if not isinstance(raw, Mapping):
        errors.append(FieldError(at, "expected an object"))
        return None
    before = len(errors)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        errors.append(FieldError(f"{at}.name", f"a name of 1 to {MAX_NAME} characters"))
    recipients = _strings(raw.get("recipients"), f"{at}.recipients", errors)
    if recipients is not None:
        if not recipients:
            errors.append(FieldError(f"{at}.recipients", "at least one recipient"))
        if len(recipients) > MAX_RULE_RECIPIENTS:
            errors.append(FieldError(f"{at}.recipients", f"at most {MAX_RULE_RECIPIENTS}"))
        for i, address in enumerate(recipients):
            if not is_email_address(address.strip()):
                errors.append(
                    FieldError(f"{at}.recipients[{i}]", f"{address[:300]!r} is not an address")
                )
    severities = _enums(raw.get("severities"), SEVERITIES, f"{at}.severities")
    sources = _enums(
        raw.get("serviceSources", []),
        tuple(s for s in ServiceSource if s is not ServiceSource.UNKNOWN_FUTURE_VALUE),
        f"{at}.serviceSources",
    )
    errors.extend(e for e in (severities, sources) if isinstance(e, FieldError))
    if isinstance(severities, frozenset) and not severities:
        errors.append(FieldError(f"{at}.severities", "at least one severity"))
    locale = raw.get("locale", "en")
    if locale not in LOCALES:
        errors.append(FieldError(f"{at}.locale", f"one of {', '.join(LOCALES)}"))
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        errors.append(FieldError(f"{at}.enabled", "true or false"))
    if len(errors) > before:
        return None
    assert isinstance(name, str)
    assert recipients is not None
    assert isinstance(severities, frozenset)
    assert isinstance(sources, frozenset)
    return AlertNotificationRule(
        name=name.strip(),
        recipients=tuple(dict.fromkeys(a.strip().lower() for a in recipients)),
        severities=severities,
        service_sources=sources,
        locale=str(locale),
        enabled=bool(enabled),
    )


def _strings(value: object, at: str, errors: list[FieldError]) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(FieldError(at, "expected a list of strings"))
        return None
    return [str(v) for v in value]


def _enums(value: object, allowed: Sequence[_E], at: str) -> frozenset[_E] | FieldError:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return FieldError(at, "expected a list of strings")
    by_name = {member.value.lower(): member for member in allowed}
    found: set[_E] = set()
    for i, item in enumerate(value):
        member = by_name.get(str(item).lower())
        if member is None:
            names = ", ".join(m.value for m in allowed)
            return FieldError(f"{at}[{i}]", f"{str(item)[:100]!r} is not one of {names}")
        found.add(member)
    return frozenset(found)


# --- the mail ---------------------------------------------------------------------------------

_SUBJECT = {
    "en": Template("[AutoIR] $severity alert: $title"),
    "fr": Template("[AutoIR] Alerte $severity : $title"),
}
_BODY = {
    "en": Template(
        'A new alert matches the notification rule "$rule".\n\n'
        "$title\n"
        "Severity: $severity\nSource: $source\nCategory: $category\n"
        "First activity: $first (UTC)\nIncident: $incident\n\n"
        "$description\n\n"
        "Open the alert: $link\n"
    ),
    "fr": Template(
        "Une nouvelle alerte correspond à la règle de notification « $rule ».\n\n"
        "$title\n"
        "Gravité : $severity\nSource : $source\nCatégorie : $category\n"
        "Première activité : $first (UTC)\nIncident : $incident\n\n"
        "$description\n\n"
        "Ouvrir l'alerte : $link\n"
    ),
}
_SEVERITY_WORDS = {
    "fr": {"high": "élevée", "medium": "moyenne", "low": "faible", "informational": "info"},
}
MAX_DESCRIPTION = 2000


def render(rule: AlertNotificationRule, alert: AlertRecord, base_url: str) -> tuple[str, str]:
    """The subject and plain-text body of ``rule``'s mail about ``alert``."""
    locale = rule.locale if rule.locale in _BODY else "en"
    severity = _SEVERITY_WORDS.get(locale, {}).get(alert.severity.value, alert.severity.value)
    title = " ".join(alert.title.split())[:200]
    values = {
        "rule": rule.name,
        "title": title,
        "severity": severity,
        "source": alert.service_source.value,
        "category": alert.category or "-",
        "first": format_timestamp(alert.first_activity) or "-",
        "incident": str(alert.incident_id) if alert.incident_id is not None else "-",
        "description": str(alert.document.get("description") or "")[:MAX_DESCRIPTION],
        "link": f"{base_url.rstrip('/')}/alerts/{alert.id}",
    }
    subject = _SUBJECT[locale].substitute(values)
    return subject[:255], _BODY[locale].substitute(values)
