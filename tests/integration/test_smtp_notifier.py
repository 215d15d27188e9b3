"""SmtpNotifier against a real SMTP server (aiosmtpd on loopback, throw-away certificates)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import SecretStr

from autoir.bootstrap.remediation import build_notifier
from autoir.connectors.memory import InMemoryNotifier
from autoir.connectors.smtp import SmtpConfig, SmtpNotifier, SmtpSecurity
from autoir.domain.errors import ConnectorRejected, ConnectorUnavailable
from autoir.ports.remediation import Notification
from autoir.settings import Settings, SmtpSettings
from tests.support.smtp import HOST, SmtpSink, free_port

pytestmark = pytest.mark.integration

PASSWORD = "S3cret-Pa55word!"
ACCOUNT = ("soc-mailer", PASSWORD)
FRENCH = Notification(
    recipients=("elodie.martin@contoso.fr",),
    subject="Sécurité : un message d'hameçonnage a été supprimé de votre boîte",
    body=(
        "Bonjour,\n\nNous avons supprimé un message frauduleux reçu le 3 décembre.\n"
        "N'ouvrez pas les pièces jointes « facture.pdf ».\n\n— L'équipe sécurité"
    ),
)
NOTICE = Notification(
    recipients=("alice@contoso.com",),
    subject="A message you received was removed",
    body="We removed a phishing message from your mailbox.",
    sender="security@contoso.com",
)


@pytest.fixture
def starttls_sink(tmp_path: Path) -> Iterator[SmtpSink]:
    with SmtpSink(tmp_path, tls="starttls", account=ACCOUNT) as sink:
        yield sink


def config_for(sink: SmtpSink, **changes: object) -> SmtpConfig:
    base = SmtpConfig(
        host=HOST,
        port=sink.port,
        sender="AutoIR Sécurité <security@contoso.fr>",
        username=ACCOUNT[0],
        password=SecretStr(PASSWORD),
        ca_file=sink.cert_file,
        timeout_seconds=5.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_starttls_and_auth_plain_deliver_french_text_encoded_and_decoded(
    starttls_sink: SmtpSink,
) -> None:
    message_id = SmtpNotifier(config_for(starttls_sink)).send(FRENCH)

    [received] = starttls_sink.messages()
    assert received.tls
    assert received.login == ACCOUNT[0]
    assert starttls_sink.auth_attempts == [("PLAIN", True)]
    assert received.mail_from == "security@contoso.fr"
    assert received.rcpt_tos == FRENCH.recipients
    headers = received.data.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()  # RFC 2047 subject and display name, quoted-printable body
    assert b"Subject: =?utf-8?" in headers
    message = received.message
    assert message["Message-ID"] == message_id
    assert message_id.endswith("@contoso.fr>")
    assert message["Subject"] == FRENCH.subject
    assert message["From"].addresses[0].display_name == "AutoIR Sécurité"
    assert message["Date"] is not None
    assert message["To"] == "elodie.martin@contoso.fr"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert received.body().replace("\r\n", "\n") == FRENCH.body


def test_many_recipients_are_on_the_envelope_only_and_split_into_transactions(
    starttls_sink: SmtpSink,
) -> None:
    recipients = tuple(f"user{i}@contoso.com" for i in range(5))
    notifier = SmtpNotifier(config_for(starttls_sink, max_recipients_per_message=2))

    message_id = notifier.send(replace(NOTICE, recipients=(*recipients, "USER0@contoso.com")))

    received = starttls_sink.messages()
    assert [r.rcpt_tos for r in received] == [recipients[:2], recipients[2:4], recipients[4:]]
    for r in received:
        assert r.message["Message-ID"] == message_id
        assert r.message["To"] == "undisclosed-recipients:;"
        assert r.message["Bcc"] is None
        assert b"user" not in r.data.split(b"\r\n\r\n", 1)[0]


def test_wrong_password_is_rejected_without_showing_it(
    starttls_sink: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ng-Pa55word!"

    with pytest.raises(ConnectorRejected, match="535") as raised:
        SmtpNotifier(config_for(starttls_sink, password=SecretStr(wrong))).send(NOTICE)

    assert starttls_sink.auth_attempts == [("PLAIN", False)]
    assert starttls_sink.messages() == []
    shown = f"{raised.value!s} {raised.value!r} {caplog.text}"
    assert wrong not in shown
    assert PASSWORD not in shown


def test_password_never_appears_in_config_logs_or_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with SmtpSink(tmp_path, tls="starttls", account=ACCOUNT, refused={"bob@contoso.com"}) as sink:
        config = config_for(sink)
        notifier = SmtpNotifier(config)
        notifier.send(NOTICE)
        with pytest.raises(ConnectorRejected) as refused:
            notifier.send(replace(NOTICE, recipients=("bob@contoso.com",)))
        sink.fail_next(1)
        with pytest.raises(ConnectorUnavailable) as busy:
            notifier.send(NOTICE)
        seen += [str(refused.value), repr(refused.value), str(busy.value), repr(busy.value)]
        port = sink.port
    with pytest.raises(ConnectorUnavailable) as down:
        SmtpNotifier(replace(config, port=port)).send(NOTICE)
    seen += [str(down.value), repr(config), str(config)]

    assert PASSWORD not in "\n".join([*seen, caplog.text])
    assert "Sent notification" in caplog.text


def test_refused_recipient_is_rejected_and_nobody_gets_the_message(tmp_path: Path) -> None:
    with SmtpSink(tmp_path, tls="starttls", account=ACCOUNT, refused={"gone@contoso.com"}) as sink:
        notifier = SmtpNotifier(config_for(sink))
        notice = replace(NOTICE, recipients=("alice@contoso.com", "gone@contoso.com"))

        with pytest.raises(ConnectorRejected, match=r"gone@contoso\.com.*550 5\.1\.1"):
            notifier.send(notice)

        assert sink.messages() == []
        notifier.send(NOTICE)  # the connection state was reset: the next send goes through
        assert len(sink.messages()) == 1


def test_temporary_and_permanent_server_replies(starttls_sink: SmtpSink) -> None:
    notifier = SmtpNotifier(config_for(starttls_sink))

    starttls_sink.fail_next(1)
    with pytest.raises(ConnectorUnavailable, match="451"):
        notifier.send(NOTICE)
    starttls_sink.fail_next(1, transient=False)
    with pytest.raises(ConnectorRejected, match="554"):
        notifier.send(NOTICE)

    assert starttls_sink.messages() == []


def test_server_down_is_unavailable() -> None:
    config = SmtpConfig(host=HOST, port=free_port(), sender="security@contoso.com")

    with pytest.raises(ConnectorUnavailable, match="unreachable"):
        SmtpNotifier(config).send(NOTICE)


def test_server_that_never_greets_times_out_as_unavailable() -> None:
    with socket.socket() as silent:
        silent.bind((HOST, 0))
        silent.listen()
        config = SmtpConfig(
            host=HOST,
            port=silent.getsockname()[1],
            sender="security@contoso.com",
            timeout_seconds=0.5,
        )

        with pytest.raises(ConnectorUnavailable):
            SmtpNotifier(config).send(NOTICE)


def test_server_without_starttls_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    with SmtpSink(tmp_path) as plain:
        config = SmtpConfig(host=HOST, port=plain.port, sender="security@contoso.com")

        with pytest.raises(ConnectorRejected, match="does not offer STARTTLS"):
            SmtpNotifier(config).send(NOTICE)

        assert plain.messages() == []


def test_untrusted_certificate_is_rejected(starttls_sink: SmtpSink) -> None:
    with pytest.raises(ConnectorRejected, match="untrusted certificate"):
        SmtpNotifier(config_for(starttls_sink, ca_file=None)).send(NOTICE)

    assert starttls_sink.messages() == []


def test_implicit_tls(tmp_path: Path) -> None:
    with SmtpSink(tmp_path, tls="tls", account=ACCOUNT) as sink:
        message_id = SmtpNotifier(config_for(sink, security=SmtpSecurity.TLS)).send(NOTICE)

        [received] = sink.messages()
        assert received.tls
        assert received.message["Message-ID"] == message_id


def test_clear_text_only_to_a_loopback_relay(tmp_path: Path) -> None:
    with SmtpSink(tmp_path) as relay:
        config = SmtpConfig(
            host=HOST, port=relay.port, sender="security@contoso.com", security=SmtpSecurity.NONE
        )
        SmtpNotifier(config).send(NOTICE)
        assert [r.tls for r in relay.messages()] == [False]

    with pytest.raises(ValueError, match="clear text"):
        SmtpConfig(
            host="mail.contoso.com",
            sender="security@contoso.com",
            security=SmtpSecurity.NONE,
            username="soc",
            password=SecretStr(PASSWORD),
        )


def test_default_ports_follow_security() -> None:
    ports = {
        security: SmtpConfig(host="mail.contoso.com", sender="a@b.c", security=security)
        for security in SmtpSecurity
    }
    assert {s: c.effective_port for s, c in ports.items()} == {
        SmtpSecurity.STARTTLS: 587,
        SmtpSecurity.TLS: 465,
        SmtpSecurity.NONE: 25,
    }


def test_a_later_batch_refused_says_who_already_got_the_message(starttls_sink: SmtpSink) -> None:
    starttls_sink.refused.add("user3@contoso.com")
    recipients = tuple(f"user{i}@contoso.com" for i in range(5))
    notifier = SmtpNotifier(config_for(starttls_sink, max_recipients_per_message=2))

    with pytest.raises(ConnectorRejected, match=r"user3@contoso\.com.*2 of 5 recipients got it"):
        notifier.send(replace(NOTICE, recipients=recipients))

    assert [r.rcpt_tos for r in starttls_sink.messages()] == [recipients[:2]]


def test_settings_choose_smtp_when_a_host_is_set(starttls_sink: SmtpSink) -> None:
    assert isinstance(build_notifier(Settings()), InMemoryNotifier)
    with pytest.raises(ValueError, match="AUTOIR_SMTP__SENDER"):
        build_notifier(Settings(smtp=SmtpSettings(host=HOST)))

    settings = Settings(
        smtp=SmtpSettings(
            host=HOST,
            port=starttls_sink.port,
            username=ACCOUNT[0],
            password=SecretStr(PASSWORD),
            sender="security@contoso.com",
            ca_file=starttls_sink.cert_file,
        )
    )
    notifier = build_notifier(settings)

    assert isinstance(notifier, SmtpNotifier)
    message_id = notifier.send(replace(NOTICE, sender=None))
    [received] = starttls_sink.messages()
    assert received.message["Message-ID"] == message_id
    assert received.mail_from == "security@contoso.com"
    assert PASSWORD not in repr(settings)
