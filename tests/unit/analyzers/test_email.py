"""analyzer.email: authentication, impersonation, reply-to, first contact, content, language."""

from __future__ import annotations

from datetime import timedelta

from autoir.analyzers.email import EmailAnalyzer
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.messages.enums import AuthResult
from autoir.domain.messages.message import SenderAuthentication
from autoir.domain.verdicts.observables import EmailSubject
from tests.unit.analyzers.builders import NOW, context, email

ANALYZER = EmailAnalyzer()


def analyse(ctx=None, **fields):
    return ANALYZER.analyze(EmailSubject(email(**fields)), ctx or context())


def codes(report) -> set[str]:
    return {r.code for r in report.reasons}


def test_ordinary_mail_has_no_threats() -> None:
    report = analyse()
    assert report.verdict is EvidenceVerdict.NO_THREATS_FOUND
    assert report.reasons == ()


def test_spoofed_brand_with_failed_authentication_is_suspicious() -> None:
    report = analyse(
        sender_from_address="service@secure-mail.example",
        sender_display_name="PayPal Service",
        authentication=SenderAuthentication(
            spf=AuthResult.FAIL, dmarc=AuthResult.FAIL, compauth=AuthResult.FAIL
        ),
    )
    assert {"email.brand_impersonation", "email.dmarc_fail", "email.spf_fail"} <= codes(report)
    assert report.verdict is EvidenceVerdict.SUSPICIOUS


def test_brand_named_late_in_a_newsletter_name_is_not_impersonation() -> None:
    report = analyse(sender_display_name="Weekly Digest PayPal Developers")
    assert "email.brand_impersonation" not in codes(report)


def test_internal_display_name_from_outside_is_impersonation() -> None:
    ctx = context(internal_display_names={"carol white": "carol.white@contoso.com"})
    report = analyse(
        ctx, sender_display_name="Carol White", sender_from_address="cw@freemail.example"
    )
    assert "email.internal_impersonation" in codes(report)
    same = analyse(
        ctx, sender_display_name="Carol White", sender_from_address="carol.white@contoso.com"
    )
    assert "email.internal_impersonation" not in codes(same)


def test_lookalike_sender_domain_is_malicious() -> None:
    report = analyse(sender_from_address="ceo@c0ntoso.com")
    assert "email.lookalike_sender_domain" in codes(report)
    assert report.verdict is EvidenceVerdict.MALICIOUS


def test_reply_to_elsewhere_except_for_mailing_lists() -> None:
    report = analyse(reply_to=("payments@freemail.example",))
    assert "email.reply_to_mismatch" in codes(report)
    listed = analyse(
        reply_to=("list@lists.example.org",), headers=(("List-Id", "<list.example.org>"),)
    )
    assert "email.reply_to_mismatch" not in codes(listed)


def test_first_contact_only_when_history_is_available() -> None:
    assert "email.first_contact" not in codes(analyse())
    ctx = context(sender_seen_before=lambda _address, _before: False)
    assert "email.first_contact" in codes(analyse(ctx))
    known = context(sender_seen_before=lambda _address, _before: True)
    assert "email.first_contact" not in codes(analyse(known))


def test_password_form_in_the_body() -> None:
    html = '<form action="https://x.example/p"><input name="user"><input type="Password"></form>'
    report = analyse(body_html=html)
    assert "email.password_field" in codes(report)
    assert report.verdict is EvidenceVerdict.SUSPICIOUS
    search = analyse(body_html='<form action="/search"><input name="q"></form>')
    assert codes(search) == set()


def test_credential_and_urgency_language_in_several_languages() -> None:
    french = analyse(
        subject="Action requise",
        body_text="Vérifiez votre compte dans les 24 heures, sinon il sera suspendu.",
    )
    assert {"email.credential_language", "email.urgency_language"} <= codes(french)
    german = analyse(body_text="Bitte bestätigen Sie Ihr Konto, es wurde vorübergehend gesperrt.")
    assert "email.credential_language" in codes(german)
    harmless = analyse(body_text="I changed the wifi password, ask me for it at the office.")
    assert "email.credential_language" not in codes(harmless)


def test_homoglyph_subject_random_token_and_future_date() -> None:
    report = analyse(
        subject="[Bin\u0430n\u0441e] verification required - fg46qFdZiRVH3jI",
        headers=(("Date", (NOW + timedelta(days=400)).strftime("%a, %d %b %Y %H:%M:%S +0000")),),
    )
    assert {
        "email.mixed_script_subject",
        "email.random_subject_token",
        "email.future_date",
    } <= codes(report)


def test_freemail_account_writing_as_a_support_team() -> None:
    report = analyse(
        sender_from_address="helpdesk.team2@gmail.com", sender_display_name="IT Support Team"
    )
    assert "email.freemail_role_sender" in codes(report)
