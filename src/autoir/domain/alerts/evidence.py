"""Typed alert evidence (reference §1.5 and §1.6) and the entities it names.

Evidence stays a JSON object so that properties we do not model are kept, not dropped; this
module checks the ``@odata.type``, normalises the enum-typed properties, and extracts the
entities that correlation, entity filters and the alert story pivot on.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from autoir.domain.alerts.enums import (
    EvidenceRemediationStatus,
    EvidenceRole,
    EvidenceVerdict,
    parse_enum,
)
from autoir.domain.errors import FieldError

ODATA_PREFIX = "#microsoft.graph.security."


class EntityKind(StrEnum):
    """Kinds of entity an alert can be pivoted on."""

    DEVICE = "device"
    USER = "user"
    MAILBOX = "mailbox"
    SHA256 = "sha256"
    SHA1 = "sha1"
    MD5 = "md5"
    FILE_NAME = "fileName"
    URL = "url"
    IP = "ip"
    NETWORK_MESSAGE_ID = "networkMessageId"
    INTERNET_MESSAGE_ID = "internetMessageId"
    SENDER = "sender"
    PROCESS = "process"
    REGISTRY_KEY = "registryKey"
    CLOUD_APP = "cloudApplication"
    OAUTH_APP = "oauthApplication"


@dataclass(frozen=True, slots=True, order=True)
class Entity:
    """An entity named by evidence. ``strong`` entities link alerts into one incident."""

    kind: EntityKind
    value: str
    strong: bool


def _enum(*values: str) -> type[StrEnum]:
    return StrEnum("_EvidenceValues", {value: value for value in values})  # type: ignore[return-value]


_HEALTH = _enum(
    "active",
    "inactive",
    "impairedCommunication",
    "noSensorData",
    "noSensorDataImpairedCommunication",
    "unknown",
)
_RISK = _enum("none", "informational", "low", "medium", "high")
_ONBOARDING = _enum("insufficientInfo", "onboarded", "canBeOnboarded", "unsupported")
_AV = _enum("notReporting", "disabled", "notUpdated", "updated", "unknown", "notSupported")
_DETECTION_STATUS = _enum("detected", "blocked", "prevented", "unknownFutureValue")
_DIRECTION = _enum("inbound", "outbound", "intraorg", "unknown", "unknownFutureValue")
_DELIVERY_ACTION = _enum(
    "unknown",
    "deliveredToJunk",
    "delivered",
    "deliveredAsSpam",
    "junked",
    "blocked",
    "replaced",
    "unknownFutureValue",
)
_DELIVERY_LOCATION = _enum(
    "unknown",
    "inbox",
    "external",
    "junkFolder",
    "quarantine",
    "failed",
    "dropped",
    "deletedFolder",
    "forwarded",
    "unknownFutureValue",
)

# Properties common to every evidence type whose values come from a closed set.
_BASE_ENUMS: dict[str, type[StrEnum]] = {
    "verdict": EvidenceVerdict,
    "remediationStatus": EvidenceRemediationStatus,
}

# Per-type enum-typed properties; the keys are also the set of accepted evidence types.
EVIDENCE_ENUMS: dict[str, dict[str, type[StrEnum]]] = {
    "deviceEvidence": {
        "healthStatus": _HEALTH,
        "riskScore": _RISK,
        "onboardingStatus": _ONBOARDING,
        "defenderAvStatus": _AV,
    },
    "fileEvidence": {"detectionStatus": _DETECTION_STATUS},
    "processEvidence": {"detectionStatus": _DETECTION_STATUS},
    "userEvidence": {},
    "mailboxEvidence": {},
    "analyzedMessageEvidence": {
        "antiSpamDirection": _DIRECTION,
        "deliveryAction": _DELIVERY_ACTION,
        "deliveryLocation": _DELIVERY_LOCATION,
    },
    "mailClusterEvidence": {},
    "urlEvidence": {},
    "ipEvidence": {},
    "registryKeyEvidence": {},
    "registryValueEvidence": {},
    "cloudApplicationEvidence": {},
    "oauthApplicationEvidence": {},
    "securityGroupEvidence": {},
    "amazonResourceEvidence": {},
    "azureResourceEvidence": {},
    "googleCloudResourceEvidence": {},
    "blobEvidence": {},
    "blobContainerEvidence": {},
    "containerEvidence": {},
    "containerImageEvidence": {},
    "containerRegistryEvidence": {},
    "kubernetesClusterEvidence": {},
    "kubernetesControllerEvidence": {},
    "kubernetesNamespaceEvidence": {},
    "kubernetesPodEvidence": {},
    "kubernetesSecretEvidence": {},
    "kubernetesServiceEvidence": {},
    "kubernetesServiceAccountEvidence": {},
    "dnsEvidence": {},
    "networkConnectionEvidence": {},
    "nicEvidence": {},
    "hostLogonSessionEvidence": {},
    "submissionMailEvidence": {},
    "gitHubOrganizationEvidence": {},
    "gitHubRepoEvidence": {},
    "gitHubUserEvidence": {},
    "sasTokenEvidence": {},
    "ioTDeviceEvidence": {},
    "malwareEvidence": {},
    "servicePrincipalEvidence": {},
    "teamsMessageEvidence": {},
}

# Accounts that appear on every host; linking alerts through them would merge unrelated incidents.
_GENERIC_ACCOUNTS = frozenset(
    {
        "system",
        "local service",
        "network service",
        "root",
        "administrator",
        "admin",
        "nt authority\\system",
        "daemon",
        "nobody",
        "www-data",
    }
)
_WELL_KNOWN_SIDS = frozenset({"s-1-5-18", "s-1-5-19", "s-1-5-20"})
MAX_CLUSTER_MESSAGE_IDS = 1000


_TYPE_BY_LOWER = {name.lower(): name for name in EVIDENCE_ENUMS}
# Canonical spellings, as normalised evidence and most sources write them: one dict lookup.
_TYPE_BY_ODATA = {ODATA_PREFIX + name: name for name in EVIDENCE_ENUMS}
_ENUMS_BY_TYPE = {name: {**_BASE_ENUMS, **enums} for name, enums in EVIDENCE_ENUMS.items()}
# Every property normalize_evidence looks at, per type.
_CHECKED_BY_TYPE = {
    name: frozenset(enums) | {"roles", "detailedRoles", "tags"}
    for name, enums in _ENUMS_BY_TYPE.items()
}


def evidence_type_name(raw: object) -> str | None:
    """Short type name (``deviceEvidence``) for an ``@odata.type`` value, or None if unknown."""
    if not isinstance(raw, str):
        return None
    known = _TYPE_BY_ODATA.get(raw)
    if known is not None:
        return known
    return _TYPE_BY_LOWER.get(
        raw.removeprefix("#").removeprefix("microsoft.graph.security.").lower()
    )


def normalize_evidence(
    item: object, target: str, errors: list[FieldError]
) -> dict[str, Any] | None:
    """Check one evidence object; return it normalised, or None after appending errors."""
    if not isinstance(item, dict):
        errors.append(FieldError(target, "must be an object"))
        return None
    type_name = evidence_type_name(item.get("@odata.type"))
    if type_name is None:
        errors.append(
            FieldError(
                f"{target}.@odata.type",
                f"unknown evidence type {item.get('@odata.type')!r}; expected "
                f"'{ODATA_PREFIX}<type>' with <type> one of " + ", ".join(EVIDENCE_ENUMS),
            )
        )
        return None
    result: dict[str, Any] = dict(item)
    result["@odata.type"] = ODATA_PREFIX + type_name
    if _CHECKED_BY_TYPE[type_name].isdisjoint(result):
        return result  # nothing to normalise or check (most evidence of most sources)
    for prop, enum_cls in _ENUMS_BY_TYPE[type_name].items():
        raw = result.get(prop)
        if raw is None:
            continue
        member = parse_enum(enum_cls, raw) if isinstance(raw, str) else None
        if member is None:
            allowed = ", ".join(m.value for m in enum_cls)
            errors.append(
                FieldError(f"{target}.{prop}", f"unknown value {raw!r}; expected one of {allowed}")
            )
        else:
            result[prop] = member.value
    roles = result.get("roles")
    if roles is not None:
        result["roles"] = _normalize_roles(roles, f"{target}.roles", errors)
    for list_prop in ("detailedRoles", "tags"):
        value = result.get(list_prop)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            errors.append(FieldError(f"{target}.{list_prop}", "must be a list of strings"))
    return result


def _normalize_roles(roles: object, target: str, errors: list[FieldError]) -> list[str]:
    if not isinstance(roles, list):
        errors.append(FieldError(target, "must be a list of evidence roles"))
        return []
    out: list[str] = []
    for index, raw in enumerate(roles):
        member = parse_enum(EvidenceRole, raw) if isinstance(raw, str) else None
        if member is None:
            errors.append(FieldError(f"{target}[{index}]", f"unknown evidence role {raw!r}"))
        else:
            out.append(member.value)
    return out


def _text(value: object) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value.lower() if value else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


# Entity extraction appends to one list per alert (no generator chains): it runs for every
# evidence item of every ingested alert.
_Out = list[Entity]


def _user_entities(account: object, out: _Out, *, weak: bool = False) -> None:
    """Users named by an account; ``weak`` demotes them all (logged-on users of a device)."""
    if not isinstance(account, Mapping):
        return
    upn = _text(account.get("userPrincipalName"))
    if upn:
        out.append(Entity(EntityKind.USER, upn, strong=not weak))
    aad = _text(account.get("azureAdUserId"))
    if aad:
        out.append(Entity(EntityKind.USER, aad, strong=not weak))
    sid = _text(account.get("userSid"))
    if sid and sid not in _WELL_KNOWN_SIDS:
        out.append(Entity(EntityKind.USER, sid, strong=not weak))
    name = _text(account.get("accountName"))
    domain = _text(account.get("domainName"))
    # A bare account name ("jsmith") is ambiguous across hosts and domains: index it only
    # qualified by its domain.
    if name and domain and name not in _GENERIC_ACCOUNTS:
        out.append(Entity(EntityKind.USER, f"{domain}\\{name}", strong=not upn and not weak))


def _file_entities(details: object, out: _Out) -> None:
    if not isinstance(details, Mapping):
        return
    for prop, kind, strong in (
        ("sha256", EntityKind.SHA256, True),
        ("sha1", EntityKind.SHA1, False),
        ("md5", EntityKind.MD5, False),
    ):
        value = _text(details.get(prop))
        if value:
            out.append(Entity(kind, value, strong=strong))
    name = _text(details.get("fileName"))
    if name:
        out.append(Entity(EntityKind.FILE_NAME, name, strong=False))


# Internal address space (RFC 1918, RFC 6598 CGNAT, RFC 4193 ULA, loopback, link-local). An IP
# outside it is "public" and links alerts; documentation ranges count as public on purpose, since
# they stand in for internet addresses in examples and the demo tenant.
_INTERNAL_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "0.0.0.0/8",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
        "::/128",
    )
)


def is_public_ip(value: str) -> bool:
    """True for a valid address outside internal, loopback, link-local and multicast space."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    if address.is_multicast:
        return False
    return not any(
        address in network for network in _INTERNAL_NETWORKS if network.version == address.version
    )


def _ip_entity(raw: object, out: _Out) -> None:
    value = _text(raw)
    if value:
        out.append(Entity(EntityKind.IP, value, strong=is_public_ip(value)))


def _device_id_entity(evidence: Mapping[str, Any], out: _Out) -> None:
    device_id = _text(evidence.get("mdeDeviceId"))
    if device_id:
        out.append(Entity(EntityKind.DEVICE, device_id, strong=True))


def _device(ev: Mapping[str, Any], out: _Out) -> None:
    _device_id_entity(ev, out)
    for prop in ("deviceDnsName", "azureAdDeviceId"):
        value = _text(ev.get(prop))
        if value:
            out.append(Entity(EntityKind.DEVICE, value, strong=True))
    for account in ev.get("loggedOnUsers") or ():
        _user_entities(account, out, weak=True)


def _file(ev: Mapping[str, Any], out: _Out) -> None:
    _file_entities(ev.get("fileDetails"), out)
    _device_id_entity(ev, out)


def _process(ev: Mapping[str, Any], out: _Out) -> None:
    _file_entities(ev.get("imageFile"), out)
    _user_entities(ev.get("userAccount"), out)
    _device_id_entity(ev, out)
    cmd = _text(ev.get("processCommandLine"))
    if cmd:
        out.append(Entity(EntityKind.PROCESS, cmd[:512], strong=False))


def _user(ev: Mapping[str, Any], out: _Out) -> None:
    _user_entities(ev.get("userAccount"), out)


def _mailbox(ev: Mapping[str, Any], out: _Out) -> None:
    for prop in ("primaryAddress", "upn"):
        value = _text(ev.get(prop))
        if value:
            out.append(Entity(EntityKind.MAILBOX, value, strong=True))
    _user_entities(ev.get("userAccount"), out)


def _analyzed_message(ev: Mapping[str, Any], out: _Out) -> None:
    for prop, kind in (
        ("networkMessageId", EntityKind.NETWORK_MESSAGE_ID),
        ("internetMessageId", EntityKind.INTERNET_MESSAGE_ID),
    ):
        value = _text(ev.get(prop))
        if value:
            out.append(Entity(kind, value, strong=True))
    recipient = _text(ev.get("recipientEmailAddress"))
    if recipient:
        out.append(Entity(EntityKind.MAILBOX, recipient, strong=True))
    for sender in (ev.get("p1Sender"), ev.get("p2Sender")):
        if isinstance(sender, Mapping):
            address = _text(sender.get("emailAddress"))
            if address:
                out.append(Entity(EntityKind.SENDER, address, strong=False))
    _ip_entity(ev.get("senderIp"), out)
    for url in ev.get("urls") or ():
        value = _text(url)
        if value:
            out.append(Entity(EntityKind.URL, value, strong=True))


def _mail_cluster(ev: Mapping[str, Any], out: _Out) -> None:
    for message_id in (ev.get("networkMessageIds") or ())[:MAX_CLUSTER_MESSAGE_IDS]:
        value = _text(message_id)
        if value:
            out.append(Entity(EntityKind.NETWORK_MESSAGE_ID, value, strong=True))


def _url(ev: Mapping[str, Any], out: _Out) -> None:
    value = _text(ev.get("url"))
    if value:
        out.append(Entity(EntityKind.URL, value, strong=True))


def _ip(ev: Mapping[str, Any], out: _Out) -> None:
    _ip_entity(ev.get("ipAddress"), out)


def _registry(ev: Mapping[str, Any], out: _Out) -> None:
    key = _text(ev.get("registryKey"))
    if key:
        hive = _text(ev.get("registryHive")) or ""
        out.append(Entity(EntityKind.REGISTRY_KEY, f"{hive}\\{key}" if hive else key, strong=False))
    _device_id_entity(ev, out)


def _app(kind: EntityKind) -> Callable[[Mapping[str, Any], _Out], None]:
    def extract(ev: Mapping[str, Any], out: _Out) -> None:
        value = _text(ev.get("appId"))
        if value:
            out.append(Entity(kind, value, strong=False))

    return extract


_EXTRACTORS: dict[str, Callable[[Mapping[str, Any], _Out], None]] = {
    "deviceEvidence": _device,
    "fileEvidence": _file,
    "processEvidence": _process,
    "userEvidence": _user,
    "mailboxEvidence": _mailbox,
    "analyzedMessageEvidence": _analyzed_message,
    "mailClusterEvidence": _mail_cluster,
    "urlEvidence": _url,
    "ipEvidence": _ip,
    "registryKeyEvidence": _registry,
    "registryValueEvidence": _registry,
    "cloudApplicationEvidence": _app(EntityKind.CLOUD_APP),
    "oauthApplicationEvidence": _app(EntityKind.OAUTH_APP),
}


def extract_entities(evidence: Iterable[Mapping[str, Any]]) -> tuple[Entity, ...]:
    """Distinct entities named by normalised evidence, in first-seen order."""
    found: list[Entity] = []
    for ev in evidence:
        extractor = _EXTRACTORS.get(evidence_type_name(ev.get("@odata.type")) or "")
        if extractor is not None:
            extractor(ev, found)
    seen: dict[tuple[str, str], Entity] = {}
    for entity in found:
        key = (entity.kind, entity.value)
        previous = seen.get(key)
        if previous is None or (entity.strong and not previous.strong):
            seen[key] = entity
    return tuple(seen.values())


# Which entity identifies an alert for fingerprinting, by priority.
_PRIMARY_KINDS = (
    EntityKind.DEVICE,
    EntityKind.MAILBOX,
    EntityKind.USER,
    EntityKind.SHA256,
    EntityKind.URL,
    EntityKind.IP,
    EntityKind.NETWORK_MESSAGE_ID,
)


def primary_entity(entities: Iterable[Entity]) -> Entity | None:
    """The entity that best identifies what the alert is about (device first, then mailbox, …)."""
    by_kind: dict[EntityKind, Entity] = {}
    for entity in entities:
        if entity.strong:
            by_kind.setdefault(entity.kind, entity)
    for kind in _PRIMARY_KINDS:
        if kind in by_kind:
            return by_kind[kind]
    return None
