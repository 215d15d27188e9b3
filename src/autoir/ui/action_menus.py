"""The "Take action" menus: the catalogue's action types for one piece of evidence.

A menu names its target the way ``POST /api/v1/actions`` does (``target.kind`` and the fields of
:mod:`autoir.domain.remediation.manual`), read from Graph-shaped evidence (an alert's evidence or
an investigation's items). It offers the action types whose ``targets`` include the evidence
kind, except undo types (they reverse an action, from its page) and types the viewer's role may
not take; no type left means no menu.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from autoir.domain.alerts.evidence import evidence_type_name
from autoir.domain.investigations.evidence import key_value
from autoir.domain.remediation.catalog import CATALOGUE, ActionType, TargetKind
from autoir.ui.action_view import ActionRights
from autoir.ui.assets import evidence_groups
from autoir.ui.investigation_view import EvidenceRow

PARAMETERS: dict[ActionType, tuple[str, tuple[str, ...]]] = {
    ActionType.ISOLATE_DEVICE: ("isolationType", ("Full", "Selective")),
    ActionType.RUN_ANTIVIRUS_SCAN: ("scanType", ("Quick", "Full")),
}
"""The choice some action types ask for, with the first option as default (reference §3.3)."""


@dataclass(frozen=True, slots=True)
class ActionMenu:
    """One entity's "Take action" menu."""

    menu_id: str
    kind: TargetKind
    name: str
    fields: tuple[tuple[str, str], ...]
    """``(field, value)`` pairs of the target, sent as ``target.<field>`` (lists repeat)."""
    types: tuple[ActionType, ...]

    def parameter(self, action_type: ActionType) -> tuple[str, tuple[str, ...]] | None:
        """The parameter an action type asks for, and its options."""
        return PARAMETERS.get(action_type)

    @staticmethod
    def is_irreversible(action_type: ActionType) -> bool:
        """Destroys something and has no undo (the menu warns)."""
        spec = CATALOGUE[action_type]
        return spec.destructive and not spec.is_reversible


def offered_types(kind: TargetKind, rights: ActionRights) -> tuple[ActionType, ...]:
    """Catalogue types acting on ``kind`` that the viewer may take, undo types left out."""
    return tuple(
        spec.type
        for spec in CATALOGUE.values()
        if kind in spec.targets and spec.undoes is None and rights.may_take(spec.type)
    )


def _text(value: object) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return None


def _device_fields(props: Mapping[str, Any], fallback: str = "") -> list[tuple[str, str]]:
    device_id = _text(props.get("mdeDeviceId")) or fallback
    if not device_id:
        return []
    name = _text(props.get("deviceDnsName")) or device_id
    return [("deviceId", device_id.lower()), ("deviceName", name)]


def _file_fields(props: Mapping[str, Any], details_key: str) -> list[tuple[str, str]]:
    details = props.get(details_key)
    details = details if isinstance(details, Mapping) else {}
    pairs = [(key, _text(details.get(key))) for key in ("sha256", "fileName", "filePath")]
    return [(key, value) for key, value in pairs if value]


def target_fields(  # noqa: PLR0911 - one return per target kind
    kind: str, props: Mapping[str, Any], fallback: str = ""
) -> tuple[TargetKind, list[tuple[str, str]]] | None:
    """The manual-request target of a piece of evidence (None when it names too little)."""
    match kind:
        case "device":
            fields = _device_fields(props, fallback)
            return (TargetKind.DEVICE, fields) if fields else None
        case "file":
            device, details = _device_fields(props), _file_fields(props, "fileDetails")
            if not device or not any(k == "sha256" for k, _ in details):
                return None
            return TargetKind.FILE, device + details
        case "process":
            device = _device_fields(props)
            pid = _text(props.get("processId"))
            image = [(k, v) for k, v in _file_fields(props, "imageFile") if k == "sha256"]
            if not device or not (pid or image):
                return None
            return TargetKind.PROCESS, device + ([("processId", pid)] if pid else []) + image
        case "analyzedMessage":
            network_id = _text(props.get("networkMessageId")) or fallback
            mailbox = _text(props.get("recipientEmailAddress"))
            if not network_id:
                return None
            fields = [("networkMessageId", network_id)]
            return TargetKind.MESSAGE, fields + ([("mailbox", mailbox)] if mailbox else [])
        case "mailCluster":
            by, value = _text(props.get("clusterBy")), _text(props.get("clusterByValue"))
            ids = [str(i) for i in props.get("networkMessageIds") or [] if _text(i)]
            if not ids and not (by and value):
                return None
            named = [("clusterBy", by), ("clusterByValue", value)] if by and value else []
            return TargetKind.CLUSTER, [*named, *(("networkMessageIds", i) for i in ids)]
        case "url":
            url = _text(props.get("url")) or fallback
            return (TargetKind.URL, [("url", url)]) if url else None
        case "mailbox":
            mailbox = _text(props.get("primaryAddress")) or _text(props.get("upn")) or fallback
            return (TargetKind.MAILBOX, [("mailbox", mailbox)]) if mailbox else None
        case "user":
            account = props.get("userAccount")
            upn = _text(account.get("userPrincipalName")) if isinstance(account, Mapping) else None
            upn = upn or _text(props.get("upn")) or (fallback if "@" in fallback else None)
            return (TargetKind.USER, [("userPrincipalName", upn)]) if upn else None
    return None


def menu_for(
    menu_id: str,
    kind: str,
    props: Mapping[str, Any],
    name: str,
    rights: ActionRights,
    fallback: str = "",
) -> ActionMenu | None:
    """The menu of one piece of evidence, if it can be acted on and the viewer may."""
    if not rights.responds:
        return None
    found = target_fields(kind, props, fallback)
    if found is None:
        return None
    target_kind, fields = found
    types = offered_types(target_kind, rights)
    if not types:
        return None
    return ActionMenu(menu_id, target_kind, name, tuple(fields), types)


def investigation_menus(rows: Iterable[EvidenceRow], rights: ActionRights) -> dict[str, ActionMenu]:
    """Menus of an investigation's evidence rows, by row id."""
    menus: dict[str, ActionMenu] = {}
    for row in rows:
        item = row.item
        menu = menu_for(
            f"act-{row.row_id}",
            item.kind,
            item.properties,
            item.name,
            rights,
            key_value(item.key) if ":" in item.key else item.name,
        )
        if menu is not None:
            menus[row.row_id] = menu
    return menus


def alert_menus(
    evidence: Iterable[Mapping[str, Any]], rights: ActionRights
) -> dict[str, list[ActionMenu | None]]:
    """Menus of an alert's evidence, aligned with :func:`autoir.ui.assets.evidence_groups`."""
    items = list(evidence)
    labels = {
        group.type_name: [row.label for row in group.rows] for group in evidence_groups(items)
    }
    menus: dict[str, list[ActionMenu | None]] = {}
    for n, ev in enumerate(items):
        type_name = evidence_type_name(ev.get("@odata.type")) or "evidence"
        row = len(menus.setdefault(type_name, []))
        name = labels.get(type_name, [])[row] if row < len(labels.get(type_name, [])) else ""
        kind = type_name.removesuffix("Evidence")
        menus[type_name].append(menu_for(f"act-ev-{n}", kind, ev, name, rights))
    return menus
