"""Seeding the in-memory connectors with the demo tenant (mailboxes, devices, users)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from autoir.connectors.memory import (
    InMemoryEmailSystem,
    InMemoryEndpointFleet,
    InMemoryIdentityProvider,
)
from autoir.demo import generate_demo_tenant
from autoir.demo.connectors import FOLDERS, SeedCounts, seed_connectors
from autoir.ports.remediation import EmailOperation, MessageRef

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SMALL = {"seed": 7, "days": 2, "user_count": 40, "device_count": 30}


@dataclass
class StandIns:
    """The connectors as the remediation wiring holds them (``Connectors``), URL blocker aside."""

    email: InMemoryEmailSystem = field(default_factory=InMemoryEmailSystem)
    endpoints: InMemoryEndpointFleet = field(default_factory=InMemoryEndpointFleet)
    identity: InMemoryIdentityProvider = field(default_factory=InMemoryIdentityProvider)


def _message(network_id: str, location: str, to: str = "ana@fabrikam.example") -> dict[str, Any]:
    return {
        "networkMessageId": network_id,
        "internetMessageId": f"<{network_id}@contoso.example>",
        "subject": "Quarterly\r\nreport",
        "senderFromAddress": "bob@contoso.example",
        "recipientEmailAddress": to,
        "deliveryLocation": location,
        "attachments": [{"fileName": "q3.xlsx", "sha256": "ab" * 32}],
    }


def test_each_copy_goes_to_the_folder_its_delivery_location_names() -> None:
    connectors = StandIns()
    records = [
        _message("in", "inbox", to="Ana@Fabrikam.example"),
        _message("junk", "junkFolder"),
        _message("deleted", "deletedFolder"),
        _message("held", "quarantine"),
        _message("sent", "external", to="partner@contoso.example"),
        _message("lost", "dropped"),
    ]
    counts = seed_connectors(connectors, records, [])
    assert counts == SeedCounts(messages=3, not_in_a_mailbox=3, mailboxes=1)
    email = connectors.email
    mailbox = "ana@fabrikam.example"
    assert email.folder_of(mailbox, "in") == "Inbox"
    assert email.folder_of(mailbox, "junk") == "Junk"
    assert email.folder_of(mailbox, "deleted") == "Deleted Items"
    assert email.folder_of(mailbox, "held") is None
    assert email.quarantined(mailbox) == []  # quarantined mail is left out altogether
    assert email.folders("partner@contoso.example") == []
    copy = email.message(mailbox, "in")
    assert copy is not None
    assert copy.internet_message_id == "<in@contoso.example>"
    assert b"Subject: Quarterly report\r\n" in copy.raw  # no header injection from the subject
    assert [name for name, _ in copy.attachments] == ["q3.xlsx"]
    assert set(FOLDERS.values()) <= set(email.folders(mailbox))


def test_seeding_again_leaves_remediated_copies_where_they_are() -> None:
    connectors = StandIns()
    records = [_message("m1", "inbox"), _message("m2", "inbox")]
    seed_connectors(connectors, records, [])
    email = connectors.email
    email.apply("a1", EmailOperation.SOFT_DELETE, [MessageRef("ana@fabrikam.example", "m1")])
    again = seed_connectors(connectors, records, [])
    assert (again.messages, again.already_there) == (0, 2)
    assert email.folder_of("ana@fabrikam.example", "m1") == "Deleted Items"
    assert email.folder_of("ana@fabrikam.example", "m2") == "Inbox"


def test_devices_are_enrolled_with_the_files_of_their_events_and_users_added() -> None:
    connectors = StandIns()
    events = [
        {
            "deviceId": "AB12",
            "kind": "file",
            "file": {"fileName": "drop.exe", "folderPath": "C:\\Users\\ana\\Temp\\"},
        },
        {
            "deviceId": "ab12",
            "kind": "process",
            "process": {
                "fileName": "bash",
                "folderPath": "/usr/bin",
                "sha256": "cd" * 32,
                "processId": 4242,
            },
        },
        {"deviceId": "ab12", "kind": "process", "process": {"fileName": "", "processId": 7}},
    ]
    counts = seed_connectors(
        connectors, [], ["AB12", "cd34"], endpoint_events=events, users=["Ana@Fabrikam.example"]
    )
    assert (counts.devices, counts.files, counts.users) == (2, 2, 1)
    fleet = connectors.endpoints
    assert set(fleet.files("ab12")) == {"C:\\Users\\ana\\Temp\\drop.exe", "/usr/bin/bash"}
    assert fleet.files("cd34") == {}
    assert fleet.processes("ab12") == {4242: "/usr/bin/bash"}  # a nameless image is skipped
    assert fleet.is_online("cd34")
    assert b"stand-in" in fleet.files("ab12")["/usr/bin/bash"]
    user = connectors.identity.user("ana@fabrikam.example")
    assert user is not None
    assert user.enabled


def test_connectors_that_are_not_stand_ins_are_left_alone() -> None:
    class RealMail:  # no ``deliver``: a real connector
        pass

    class Wiring:
        email = RealMail()
        endpoints = object()
        identity = object()

    counts = seed_connectors(Wiring(), [_message("m1", "inbox")], ["ab12"], users=["a@b.example"])
    assert counts == SeedCounts()


def test_the_generated_tenant_is_seeded_whole() -> None:
    tenant = generate_demo_tenant(now=NOW, **SMALL)
    connectors = StandIns()
    counts = seed_connectors(
        connectors,
        tenant.telemetry.messages,
        tenant.devices,
        endpoint_events=tenant.telemetry.endpoint_events,
        users=tenant.users,
    )
    in_mailboxes = [m for m in tenant.telemetry.messages if m["deliveryLocation"] in FOLDERS]
    assert counts.messages == len(in_mailboxes) > 0
    assert counts.not_in_a_mailbox == len(tenant.telemetry.messages) - len(in_mailboxes)
    assert (counts.devices, counts.users) == (len(tenant.devices), len(tenant.users))
    email = connectors.email
    for record in in_mailboxes:
        mailbox = str(record["recipientEmailAddress"])
        folder = email.folder_of(mailbox, str(record["networkMessageId"]))
        assert folder == FOLDERS[str(record["deliveryLocation"])]
    fleet = connectors.endpoints
    with_files = {str(e["deviceId"]) for e in tenant.telemetry.endpoint_events}
    assert all(fleet.files(device) for device in with_files)
