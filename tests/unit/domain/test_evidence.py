from __future__ import annotations

from autoir.domain.alerts.evidence import (
    Entity,
    EntityKind,
    extract_entities,
    is_public_ip,
    normalize_evidence,
    primary_entity,
)
from autoir.domain.errors import FieldError

T = "#microsoft.graph.security."


def _normalized(item: dict[str, object]) -> dict[str, object]:
    errors: list[FieldError] = []
    result = normalize_evidence(item, "e", errors)
    assert errors == []
    assert result is not None
    return result


def test_normalize_accepts_short_and_full_type_names_and_keeps_extras() -> None:
    result = _normalized(
        {
            "@odata.type": "microsoft.graph.security.DEVICEEVIDENCE",
            "verdict": "Malicious",
            "roles": ["Compromised"],
            "brandNew": 1,
        }
    )
    assert result == {
        "@odata.type": T + "deviceEvidence",
        "verdict": "malicious",
        "roles": ["compromised"],
        "brandNew": 1,
    }


def test_normalize_names_bad_fields() -> None:
    errors: list[FieldError] = []
    assert (
        normalize_evidence({"@odata.type": T + "nopeEvidence"}, "value[0].evidence[2]", errors)
        is None
    )
    normalize_evidence(
        {
            "@odata.type": T + "analyzedMessageEvidence",
            "deliveryLocation": "moon",
            "roles": ["hero"],
        },
        "x",
        errors,
    )
    assert [e.target for e in errors] == [
        "value[0].evidence[2].@odata.type",
        "x.deliveryLocation",
        "x.roles[0]",
    ]


def test_entities_are_extracted_per_type_with_strength() -> None:
    evidence = [
        {
            "@odata.type": T + "deviceEvidence",
            "mdeDeviceId": "ABC",
            "deviceDnsName": "Host1",
            "loggedOnUsers": [{"accountName": "bob", "domainName": "corp"}],
        },
        {
            "@odata.type": T + "processEvidence",
            "mdeDeviceId": "abc",
            "processCommandLine": "cmd /c x",
            "imageFile": {"sha256": "AA", "fileName": "cmd.exe"},
            "userAccount": {"accountName": "SYSTEM", "userSid": "S-1-5-18"},
        },
        {
            "@odata.type": T + "analyzedMessageEvidence",
            "networkMessageId": "N1",
            "recipientEmailAddress": "a@x",
            "senderIp": "10.1.1.1",
            "urls": ["http://evil.example/x"],
            "p1Sender": {"emailAddress": "s@evil.example"},
        },
        {"@odata.type": T + "ipEvidence", "ipAddress": "203.0.113.9"},
    ]
    entities = set(extract_entities(evidence))
    assert Entity(EntityKind.DEVICE, "abc", strong=True) in entities
    assert Entity(EntityKind.DEVICE, "host1", strong=True) in entities
    assert Entity(EntityKind.USER, "corp\\bob", strong=False) in entities
    assert Entity(EntityKind.SHA256, "aa", strong=True) in entities
    assert Entity(EntityKind.FILE_NAME, "cmd.exe", strong=False) in entities
    assert Entity(EntityKind.NETWORK_MESSAGE_ID, "n1", strong=True) in entities
    assert Entity(EntityKind.MAILBOX, "a@x", strong=True) in entities
    assert Entity(EntityKind.IP, "10.1.1.1", strong=False) in entities
    assert Entity(EntityKind.IP, "203.0.113.9", strong=True) in entities
    assert Entity(EntityKind.URL, "http://evil.example/x", strong=True) in entities
    assert Entity(EntityKind.SENDER, "s@evil.example", strong=False) in entities
    assert not any(e.kind is EntityKind.USER and "system" in e.value for e in entities)
    assert not any(e.value == "s-1-5-18" for e in entities)


def test_primary_entity_prefers_device_then_mailbox() -> None:
    entities = [
        Entity(EntityKind.URL, "u", strong=True),
        Entity(EntityKind.MAILBOX, "m", strong=True),
        Entity(EntityKind.DEVICE, "d", strong=False),
    ]
    assert primary_entity(entities) == Entity(EntityKind.MAILBOX, "m", strong=True)
    assert primary_entity([]) is None


def test_public_ip_excludes_internal_space() -> None:
    assert [
        is_public_ip(v)
        for v in (
            "8.8.8.8",
            "198.51.100.1",
            "10.0.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "fe80::1",
            "2001:db8::1",
            "224.0.0.1",
            "nonsense",
        )
    ] == [True, True, False, False, False, False, True, False, False]
