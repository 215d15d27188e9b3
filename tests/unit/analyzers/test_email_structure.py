"""analyzer.email: structural traits of the sender and recipient header fields."""

from __future__ import annotations

from autoir.analyzers.email import EmailAnalyzer
from autoir.analyzers.email.structure import header_findings, is_valid_mail_domain
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.observables import EmailSubject
from tests.unit.analyzers.builders import context, email

HEADERS = (
    ("From", "Alice Martin <alice@fabrikam.com>"),
    ("To", "bob@contoso.com"),
    ("Message-ID", "<1@fabrikam.com>"),
)


def codes(**fields: object) -> set[str]:
    fields.setdefault("headers", HEADERS)
    return {r.code for r in header_findings(email(**fields))}


def test_ordinary_headers_raise_nothing() -> None:
    assert codes() == set()


def test_sender_domain_that_is_not_a_domain_is_flagged() -> None:
    for domain in ("{bank.example.com}", "'post-office.com", "12%parcels.com", "tracking696"):
        found = codes(
            sender_from_address=f"service@{domain}",
            headers=(("From", f"Service <service@{domain}>"), *HEADERS[1:]),
        )
        assert "email.malformed_sender_domain" in found, domain
    assert is_valid_mail_domain("iki.fi")  # a public suffix that is also a mail domain
    assert is_valid_mail_domain("mail.example.co.uk")


def test_several_from_fields_or_addresses_are_flagged() -> None:
    twice = (("From", "Shop <news@shop.example.com>"), ("From", '"X" <x@other.example.com>'))
    assert "email.multiple_senders" in codes(headers=(*twice, *HEADERS[1:]))
    listed = (("From", "Shop, <a@shop.example.com>, Office, <b@other.example.com>"), *HEADERS[1:])
    assert "email.multiple_senders" in codes(headers=listed)
    quoted = (("From", '"alice@fabrikam.com" <alice@fabrikam.com>'), *HEADERS[1:])
    assert "email.multiple_senders" not in codes(headers=quoted)


def test_missing_sender() -> None:
    found = codes(sender_from_address=None, headers=(("To", "bob@contoso.com"),))
    assert "email.missing_sender" in found


def test_undisclosed_recipients_unless_a_mailing_list() -> None:
    hidden = (HEADERS[0], ("To", "undisclosed-recipients:;"), HEADERS[2])
    assert "email.undisclosed_recipients" in codes(headers=hidden)
    listed = (*hidden, ("List-Id", "<friends.lists.example.org>"))
    assert "email.undisclosed_recipients" not in codes(headers=listed)


def test_free_mail_sent_by_another_account_of_the_same_provider() -> None:
    found = codes(
        sender_from_address="mr.banker@gmail.com",
        sender_mail_from_address="someone.else42@gmail.com",
    )
    assert "email.freemail_envelope_mismatch" in found
    tagged = codes(
        sender_from_address="alice.smith@gmail.com",
        sender_mail_from_address="alicesmith+caf_x@gmail.com",
    )
    assert "email.freemail_envelope_mismatch" not in tagged
    company = codes(
        sender_from_address="alice@fabrikam.com", sender_mail_from_address="bounce@fabrikam.com"
    )
    assert "email.freemail_envelope_mismatch" not in company


def test_advance_fee_message_from_webmail_is_suspicious() -> None:
    message = email(
        sender_from_address="mrs.widow@gmail.com",
        sender_display_name="Mrs. Widow",
        sender_mail_from_address="other.account@gmail.com",
        headers=(("From", "Mrs. Widow <mrs.widow@gmail.com>"), ("To", "undisclosed-recipients:;")),
        subject="Greetings",
        body_text=(
            "I am suffering from cancer and decided to donate the sum of $4.5 million to you. "
            "Get back to me with your full name, address and phone."
        ),
    )
    report = EmailAnalyzer().analyze(EmailSubject(message), context())
    assert report.verdict is EvidenceVerdict.SUSPICIOUS
    assert "email.advance_fee_language" in {r.code for r in report.reasons}


def brand_codes(name: str, address: str) -> set[str]:
    message = email(sender_display_name=name, sender_from_address=address)
    report = EmailAnalyzer().analyze(EmailSubject(message), context())
    return {r.code for r in report.reasons}


def test_brand_named_in_a_part_of_the_display_name_or_as_the_whole_name() -> None:
    assert "email.brand_impersonation" in brand_codes("Order status - DHL", "x@shop.example.com")
    assert "email.brand_impersonation" in brand_codes("Nachricht der AOK", "x@mailer.example.com")
    assert "email.brand_impersonation" in brand_codes("Ledger Support", "x@mailer.example.com")
    assert "email.brand_impersonation" in brand_codes("Ripple Team", "x@mailer.example.com")


def test_brand_names_that_are_ordinary_words_need_the_whole_name() -> None:
    assert "email.brand_impersonation" not in brand_codes("Ledger Accounting Ltd", "a@acct.example")
    assert "email.brand_impersonation" not in brand_codes("Orange County News", "n@ocn.example")


def test_a_brand_sending_from_its_own_or_its_government_domain_is_not_impersonation() -> None:
    assert "email.brand_impersonation" not in brand_codes("Ledger", "news@ledger.com")
    assert "email.brand_impersonation" not in brand_codes(
        "Receita Federal", "aviso@receita.fazenda.gov.br"
    )


def analysed(**fields: object) -> set[str]:
    report = EmailAnalyzer().analyze(EmailSubject(email(**fields)), context())
    return {r.code for r in report.reasons}


def test_capitals_with_a_swapped_look_alike_letter() -> None:
    assert "email.letter_substitution" in analysed(subject="WlN a VlAGRA coupon")
    assert "email.letter_substitution" in analysed(
        body_text="Claim your B0NUS now. FREE B0NUS SPlNS"
    )
    assert "email.letter_substitution" not in analysed(subject="WIN a prize at the NASA fair")


def test_same_code_at_the_end_of_name_and_subject() -> None:
    found = analysed(sender_display_name="Energy advice .QZTW", subject="Act now .QZTW")
    assert "email.tagged_sender_and_subject" in found
    assert "email.tagged_sender_and_subject" not in analysed(
        sender_display_name="CNET News", subject="Weekly NEWS"
    )


def test_free_mail_account_writing_as_a_brand() -> None:
    fields: dict[str, object] = {
        "sender_from_address": "john.smith1990@gmail.com",
        "subject": "Order confirmation",
        "body_text": "Norton 360 renewal: your subscription has been renewed.",
    }
    assert "email.freemail_brand_claim" in analysed(**fields)
    reply = {**fields, "subject": "Re: Order confirmation"}
    assert "email.freemail_brand_claim" not in analysed(**reply)
    company = {**fields, "sender_from_address": "billing@fabrikam.com"}
    assert "email.freemail_brand_claim" not in analysed(**company)


def test_replies_to_another_account_of_the_same_free_mail_provider() -> None:
    found = analysed(sender_from_address="mrs.smith@gmail.com", reply_to=("agent007@gmail.com",))
    assert "email.reply_to_other_account" in found
    same = analysed(sender_from_address="mrs.smith@gmail.com", reply_to=("mrssmith@gmail.com",))
    assert "email.reply_to_other_account" not in same


def test_brand_name_padded_with_invisible_characters_or_hyphens_is_still_read() -> None:
    padded = "M\U000e0101i\u200bcrosoft Billing"
    assert "email.brand_impersonation" in brand_codes(padded, "br@mailer.example.com")
    assert "email.brand_impersonation" in brand_codes("-Albert-Heijn Acties", "n@shop.example")
