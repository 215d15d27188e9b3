"""What an alert's evidence says about impacted assets, shaped for tables.

Impacted assets are the devices, users and mailboxes the evidence names; the evidence tab shows
every piece of evidence grouped by type with its verdict and remediation status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from autoir.domain.alerts.evidence import evidence_type_name

ASSET_KINDS = ("device", "user", "mailbox")


@dataclass(frozen=True, slots=True)
class Asset:
    """A device, user or mailbox named by evidence."""

    kind: str
    name: str
    detail: str | None = None

    @property
    def queue_url(self) -> str:
        """The alert queue filtered on this asset, all statuses and dates."""
        return "/alerts?" + urlencode(
            {"f": "1", "entity": self.name, "entity_type": self.kind, "created": "any"}
        )


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """One piece of evidence as a table row."""

    label: str
    detail: str | None
    verdict: str | None
    remediation: str | None
    roles: tuple[str, ...]
    when: str | None


@dataclass(frozen=True, slots=True)
class EvidenceGroup:
    """Evidence of one type."""

    type_name: str
    rows: tuple[EvidenceRow, ...]


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _account_name(account: object) -> str | None:
    if not isinstance(account, Mapping):
        return None
    upn = _text(account.get("userPrincipalName"))
    if upn:
        return upn
    name = _text(account.get("accountName"))
    domain = _text(account.get("domainName"))
    if name and domain:
        return f"{domain}\\{name}"
    return name or _text(account.get("displayName"))


def _assets_of(type_name: str | None, ev: Mapping[str, Any]) -> Iterable[Asset]:
    if type_name == "deviceEvidence":
        name = _text(ev.get("deviceDnsName")) or _text(ev.get("mdeDeviceId"))
        if name:
            yield Asset("device", name, _text(ev.get("osPlatform")))
    elif type_name == "userEvidence":
        account = ev.get("userAccount")
        name = _account_name(account)
        if name:
            display = account.get("displayName") if isinstance(account, Mapping) else None
            yield Asset("user", name, _text(display))
    elif type_name == "mailboxEvidence":
        name = _text(ev.get("primaryAddress")) or _text(ev.get("upn"))
        if name:
            yield Asset("mailbox", name, _text(ev.get("displayName")))
    elif type_name == "analyzedMessageEvidence":
        name = _text(ev.get("recipientEmailAddress"))
        if name:
            yield Asset("mailbox", name)


def impacted_assets(evidence: Iterable[Mapping[str, Any]]) -> list[Asset]:
    """Distinct devices, users and mailboxes, devices first."""
    seen: dict[tuple[str, str], Asset] = {}
    for ev in evidence:
        for asset in _assets_of(evidence_type_name(ev.get("@odata.type")), ev):
            seen.setdefault((asset.kind, asset.name.lower()), asset)
    return sorted(seen.values(), key=lambda a: ASSET_KINDS.index(a.kind))


def first_asset(evidence: Iterable[Mapping[str, Any]]) -> Asset | None:
    """The asset the queue's "Impacted assets" column shows."""
    assets = impacted_assets(evidence)
    return assets[0] if assets else None


def _file_label(details: object) -> tuple[str, str | None]:
    if not isinstance(details, Mapping):
        return "file", None
    name = _text(details.get("fileName")) or _text(details.get("sha256")) or "file"
    return name, _text(details.get("sha256")) or _text(details.get("filePath"))


def describe(type_name: str, ev: Mapping[str, Any]) -> tuple[str, str | None]:  # noqa: PLR0911
    """A label and a detail line for one piece of evidence."""
    match type_name:
        case "deviceEvidence":
            return (
                _text(ev.get("deviceDnsName")) or _text(ev.get("mdeDeviceId")) or "device",
                " ".join(filter(None, (_text(ev.get("osPlatform")), _text(ev.get("osBuild")))))
                or None,
            )
        case "fileEvidence":
            return _file_label(ev.get("fileDetails"))
        case "processEvidence":
            name, _ = _file_label(ev.get("imageFile"))
            return name, _text(ev.get("processCommandLine"))
        case "userEvidence":
            return _account_name(ev.get("userAccount")) or "user", None
        case "mailboxEvidence":
            return (
                _text(ev.get("primaryAddress")) or _text(ev.get("upn")) or "mailbox",
                _text(ev.get("displayName")),
            )
        case "analyzedMessageEvidence":
            sender = ev.get("p1Sender")
            address = sender.get("emailAddress") if isinstance(sender, Mapping) else None
            return (
                _text(ev.get("subject")) or _text(ev.get("networkMessageId")) or "message",
                " → ".join(filter(None, (_text(address), _text(ev.get("recipientEmailAddress")))))
                or None,
            )
        case "urlEvidence":
            return _text(ev.get("url")) or "url", None
        case "ipEvidence":
            return _text(ev.get("ipAddress")) or "ip", _text(ev.get("countryLetterCode"))
        case "mailClusterEvidence":
            return _text(ev.get("clusterByValue")) or "cluster", _text(ev.get("query"))
    for key in ("displayName", "name", "url", "appId", "registryKey"):
        value = _text(ev.get(key))
        if value:
            return value, None
    return type_name, None


def evidence_groups(evidence: Iterable[Mapping[str, Any]]) -> list[EvidenceGroup]:
    """Evidence grouped by type, in first-seen order."""
    groups: dict[str, list[EvidenceRow]] = {}
    for ev in evidence:
        type_name = evidence_type_name(ev.get("@odata.type")) or "evidence"
        label, detail = describe(type_name, ev)
        roles = ev.get("roles") if isinstance(ev.get("roles"), list) else []
        when = ev.get("processCreationDateTime") or ev.get("createdDateTime")
        groups.setdefault(type_name, []).append(
            EvidenceRow(
                label,
                detail,
                _text(ev.get("verdict")),
                _text(ev.get("remediationStatus")),
                tuple(str(r) for r in roles or ()),
                when if isinstance(when, str) else None,
            )
        )
    return [EvidenceGroup(name, tuple(rows)) for name, rows in groups.items()]
