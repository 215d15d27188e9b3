"""Reading a user's phish report: the reported message attached, named, or absent."""

from __future__ import annotations

from email.message import EmailMessage

from autoir.domain.mailflow.folders import delivery_location
from autoir.mime.reports import read_report

REPORTER = "carol@contoso.com"


def suspicious() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "it-support@contoso-helpdesk.example"
    message["To"] = REPORTER
    message["Subject"] = "Your mailbox is full"
    message["Message-ID"] = "<full-1@contoso-helpdesk.example>"
    message.set_content("Click here to keep your mail.\n")
    return message


def report(**headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Carol <{REPORTER.upper()}>"
    message["To"] = "phish@contoso.com"
    message["Subject"] = "Fwd: Your mailbox is full"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Is this real?\n")
    return message


def test_forwarded_as_attachment_gives_the_original_bytes() -> None:
    message = report()
    message.add_attachment(suspicious())
    read = read_report(message.as_bytes())
    assert read.reporter == REPORTER
    (attached,) = read.attached
    assert b"Message-ID: <full-1@contoso-helpdesk.example>" in attached
    assert b"Click here to keep your mail." in attached


def test_an_eml_file_attachment_and_a_base64_rfc822_part_are_read_too() -> None:
    original = suspicious().as_bytes()
    message = report()
    message.add_attachment(
        original, maintype="application", subtype="octet-stream", filename="Mailbox full.EML"
    )
    message.add_attachment(original, maintype="message", subtype="rfc822")
    read = read_report(message.as_bytes())
    assert len(read.attached) == 2
    assert all(b"<full-1@contoso-helpdesk.example>" in raw for raw in read.attached)


def test_an_inline_forward_names_the_original_by_its_message_id() -> None:
    message = report(X_Forwarded_Message_Id="<full-1@contoso-helpdesk.example>")
    read = read_report(message.as_bytes())
    assert read.attached == ()
    assert read.referenced_ids == ("<full-1@contoso-helpdesk.example>",)


def test_a_report_that_is_not_mail_is_still_a_report_without_content() -> None:
    read = read_report(b"\x00\xff not a message at all")
    assert read.attached == ()
    assert read.reporter is None


def test_folders_give_delivery_locations() -> None:
    assert [
        delivery_location(f).value
        for f in ("Inbox", "junk", "Deleted Items", "Archive", "Projets/Reçus", "Sent")
    ] == ["inbox", "junkFolder", "deletedFolder", "inbox", "inbox", "inbox"]
