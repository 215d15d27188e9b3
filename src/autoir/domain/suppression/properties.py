"""The evidence types and properties a suppression condition can name, read from Graph evidence.

Each condition names an evidence type, one of its properties and a role. This module maps them
onto the Graph evidence of ``domain/alerts/evidence.py`` and collects, once per alert, every
(type, property) → values with whether the evidence was *triggering*.

Accepted properties per evidence type (Graph paths in brackets):

=============  ==========================================================================
file           sha1, sha256, md5, fileName, filePath  [fileEvidence ``fileDetails/*``]
process        fileName, filePath, sha1, sha256, md5  [``imageFile/*``], commandLine
               [``processCommandLine``], parentFileName, parentFilePath, parentSha1,
               parentSha256 [``parentProcessImageFile/*``], parentCommandLine
               [``parentProcessCommandLine``], accountName [``userAccount/accountName``]
scheduledTask  taskName [``scheduledTaskName``], commandLine, fileName — process evidence
               that carries ``scheduledTaskName``
amsiScript     content [``amsiScriptContent``], fileName, commandLine — process evidence
               that carries ``amsiScriptContent``
wmiEvent       namespace, consumer, filter [``wmiEventNamespace``, ``wmiEventConsumer``,
               ``wmiEventFilter``], fileName, commandLine — process evidence with any of them
ip             ipAddress [ipEvidence]
url            url, domain (the URL's host) [urlEvidence]
user           userPrincipalName, accountName, domainName, userSid, azureAdUserId
               [userEvidence ``userAccount/*``]
device         deviceId [``mdeDeviceId``], deviceDnsName, azureAdDeviceId, osPlatform
mailbox        primaryAddress, upn, displayName [mailboxEvidence]
message        networkMessageId, internetMessageId, subject, senderFromAddress
               [``p2Sender/emailAddress``], senderMailFromAddress [``p1Sender/emailAddress``],
               senderIp, recipientEmailAddress, url [``urls``] [analyzedMessageEvidence]
=============  ==========================================================================

Graph has no evidence types for scheduled tasks, AMSI scripts and WMI events (reference §4.1
lists them among Defender's IOC kinds); sources send them as process evidence with the extension
properties above, which ingest keeps because unknown properties are kept.

**Roles.** Evidence is *triggering* when its ``detailedRoles`` say ``trigger``/``triggering``,
or when it has a role other than ``contextual``, ``scanned`` or ``unknown`` (``created``,
``suspicious``, ``attacker``, ``compromised``…), or, having no roles at all, a verdict of
``malicious`` or ``suspicious``. Everything else is *related*. A condition's role ``any``
accepts both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from autoir.domain.alerts.evidence import evidence_type_name


class EvidenceType(StrEnum):
    """IOC kinds of a condition (reference §4.1)."""

    FILE = "file"
    PROCESS = "process"
    SCHEDULED_TASK = "scheduledTask"
    AMSI_SCRIPT = "amsiScript"
    WMI_EVENT = "wmiEvent"
    IP = "ip"
    URL = "url"
    USER = "user"
    DEVICE = "device"
    MAILBOX = "mailbox"
    MESSAGE = "message"


Reader = Callable[[Mapping[str, Any]], list[str]]


def _path(*keys: str) -> Reader:
    """Values at a nested path; a list at the end gives each of its strings."""

    def read(ev: Mapping[str, Any]) -> list[str]:
        value: Any = ev
        for key in keys:
            if not isinstance(value, Mapping):
                return []
            value = value.get(key)
        if isinstance(value, str):
            text = value.strip()
            return [text] if text else []
        if isinstance(value, list):
            return [v.strip() for v in value if isinstance(v, str) and v.strip()]
        if isinstance(value, int) and not isinstance(value, bool):
            return [str(value)]
        return []

    return read


def url_host(url: str) -> str | None:
    """The host of a URL (``https://user@Host:8443/x`` → ``host``), scheme optional."""
    rest = url.split("://", 1)[1] if "://" in url else url.removeprefix("//")
    for stop in "/?#\\":
        rest = rest.split(stop, 1)[0]
    rest = rest.rsplit("@", 1)[-1]
    host = rest[1:].split("]", 1)[0] if rest.startswith("[") else rest.split(":", 1)[0]
    return host.lower().rstrip(".") or None


def _domain(ev: Mapping[str, Any]) -> list[str]:
    return [host for url in _path("url")(ev) if (host := url_host(url))]


def _image(prefix: str, image: str) -> dict[str, Reader]:
    names = {"fileName": "fileName", "filePath": "filePath", "sha1": "sha1", "sha256": "sha256"}
    if not prefix:
        names["md5"] = "md5"
    return {
        (prefix + key[0].upper() + key[1:] if prefix else key): _path(image, prop)
        for key, prop in names.items()
    }


_PROCESS: dict[str, Reader] = {
    **_image("", "imageFile"),
    "commandLine": _path("processCommandLine"),
    **_image("parent", "parentProcessImageFile"),
    "parentCommandLine": _path("parentProcessCommandLine"),
    "accountName": _path("userAccount", "accountName"),
}
_PROCESS_BASICS = {"fileName": _PROCESS["fileName"], "commandLine": _PROCESS["commandLine"]}

# Evidence type → (Graph type name, marker properties (one must be present, or none needed),
# property → reader).
EVIDENCE_PROPERTIES: dict[EvidenceType, tuple[str, tuple[str, ...], dict[str, Reader]]] = {
    EvidenceType.FILE: (
        "fileEvidence",
        (),
        {p: _path("fileDetails", p) for p in ("sha1", "sha256", "md5", "fileName", "filePath")},
    ),
    EvidenceType.PROCESS: ("processEvidence", (), _PROCESS),
    EvidenceType.SCHEDULED_TASK: (
        "processEvidence",
        ("scheduledTaskName",),
        {"taskName": _path("scheduledTaskName"), **_PROCESS_BASICS},
    ),
    EvidenceType.AMSI_SCRIPT: (
        "processEvidence",
        ("amsiScriptContent",),
        {"content": _path("amsiScriptContent"), **_PROCESS_BASICS},
    ),
    EvidenceType.WMI_EVENT: (
        "processEvidence",
        ("wmiEventNamespace", "wmiEventConsumer", "wmiEventFilter"),
        {
            "namespace": _path("wmiEventNamespace"),
            "consumer": _path("wmiEventConsumer"),
            "filter": _path("wmiEventFilter"),
            **_PROCESS_BASICS,
        },
    ),
    EvidenceType.IP: ("ipEvidence", (), {"ipAddress": _path("ipAddress")}),
    EvidenceType.URL: ("urlEvidence", (), {"url": _path("url"), "domain": _domain}),
    EvidenceType.USER: (
        "userEvidence",
        (),
        {
            p: _path("userAccount", p)
            for p in ("userPrincipalName", "accountName", "domainName", "userSid", "azureAdUserId")
        },
    ),
    EvidenceType.DEVICE: (
        "deviceEvidence",
        (),
        {
            "deviceId": _path("mdeDeviceId"),
            "deviceDnsName": _path("deviceDnsName"),
            "azureAdDeviceId": _path("azureAdDeviceId"),
            "osPlatform": _path("osPlatform"),
        },
    ),
    EvidenceType.MAILBOX: (
        "mailboxEvidence",
        (),
        {p: _path(p) for p in ("primaryAddress", "upn", "displayName")},
    ),
    EvidenceType.MESSAGE: (
        "analyzedMessageEvidence",
        (),
        {
            "networkMessageId": _path("networkMessageId"),
            "internetMessageId": _path("internetMessageId"),
            "subject": _path("subject"),
            "senderFromAddress": _path("p2Sender", "emailAddress"),
            "senderMailFromAddress": _path("p1Sender", "emailAddress"),
            "senderIp": _path("senderIp"),
            "recipientEmailAddress": _path("recipientEmailAddress"),
            "url": _path("urls"),
        },
    ),
}

# Graph type name → the evidence types read from it.
_TYPES_BY_GRAPH: dict[str, list[EvidenceType]] = {}
for _kind, (_graph, _markers, _props) in EVIDENCE_PROPERTIES.items():
    _TYPES_BY_GRAPH.setdefault(_graph, []).append(_kind)

_CONTEXT_ROLES = frozenset({"contextual", "scanned", "unknown"})
_TRIGGER_WORDS = frozenset({"trigger", "triggering"})


def properties_of(kind: EvidenceType) -> tuple[str, ...]:
    """The property names a condition on this evidence type may use."""
    return tuple(EVIDENCE_PROPERTIES[kind][2])


def is_triggering(ev: Mapping[str, Any]) -> bool:
    """Whether the evidence triggered the alert (see the module docstring)."""
    detailed = ev.get("detailedRoles")
    if isinstance(detailed, list) and any(
        isinstance(r, str) and r.lower() in _TRIGGER_WORDS for r in detailed
    ):
        return True
    roles = ev.get("roles")
    if isinstance(roles, list) and roles:
        return any(isinstance(r, str) and r not in _CONTEXT_ROLES for r in roles)
    return ev.get("verdict") in ("malicious", "suspicious")


FactKey = tuple[EvidenceType, str]
# (type, property) → [(lower-case value, triggering)]
Facts = dict[FactKey, list[tuple[str, bool]]]


def evidence_facts(evidence: list[dict[str, Any]]) -> Facts:
    """Every condition-readable value of an alert's evidence, lower-cased, with its role."""
    facts: Facts = {}
    for ev in evidence:
        kinds = _TYPES_BY_GRAPH.get(evidence_type_name(ev.get("@odata.type")) or "")
        if not kinds:
            continue
        triggering = is_triggering(ev)
        for kind in kinds:
            _graph, markers, readers = EVIDENCE_PROPERTIES[kind]
            if markers and not any(ev.get(m) for m in markers):
                continue
            for prop, read in readers.items():
                for value in read(ev):
                    facts.setdefault((kind, prop), []).append((value.lower(), triggering))
    return facts


def evidence_values(ev: Mapping[str, Any], kind: EvidenceType) -> list[tuple[str, str]]:
    """(property, value as written) of one evidence item for an evidence type, in table order."""
    _graph, markers, readers = EVIDENCE_PROPERTIES[kind]
    if markers and not any(ev.get(m) for m in markers):
        return []
    return [(prop, value) for prop, read in readers.items() for value in read(ev)]


def kinds_of(ev: Mapping[str, Any]) -> list[EvidenceType]:
    """The evidence types an evidence item can be read as."""
    return list(_TYPES_BY_GRAPH.get(evidence_type_name(ev.get("@odata.type")) or "", ()))
