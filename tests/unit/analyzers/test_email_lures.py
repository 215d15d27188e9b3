"""Lure phrase families (advance-fee, romance, fake invoice, scareware, prize draw, investment)."""

from __future__ import annotations

import pytest

from autoir.analyzers.email.language import language_findings


def codes(text: str, subject: str = "") -> set[str]:
    return {r.code for r in language_findings(subject, text)}


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("email.advance_fee_language", "My late husband left a dormant account; get back to me."),
        (
            "email.advance_fee_language",
            "Tenho uma oferta delicada e busco sua cooperação. Responda-me.",
        ),
        ("email.romance_language", "Hi! I'm 28 years old, looking for a serious relationship."),
        ("email.romance_language", "Ik ben 26 jaar en zoek een spannende afspraak."),
        (
            "email.fake_invoice_language",
            "Your subscription has been renewed. A charge of $399 was made.",
        ),
        (
            "email.fake_invoice_language",
            "A sua fatura acaba de chegar. Débito automático agendado.",
        ),
        ("email.scareware_language", "Ihr Gerät ist mit einem Virus infiziert! 3 Viren gefunden."),
        ("email.scareware_language", "Your computer is infected: 5 threats detected."),
        ("email.prize_draw_language", "Beantworten Sie ein paar Fragen in unserer kurzen Umfrage."),
        ("email.prize_draw_language", "Complétez notre court sondage, votre cadeau vous attend."),
        (
            "email.investment_language",
            "Earn $500 per day of passive income with our trading robot.",
        ),
        ("email.investment_language", "Descubra a renda extra e a liberdade financeira."),
    ],
)
def test_lure_families_in_several_languages(code: str, text: str) -> None:
    assert code in codes(text)


def test_two_phrases_of_a_family_weigh_more_than_one() -> None:
    one = language_findings("", "Get back to me.")
    two = language_findings("", "My late husband left a dormant account. Get back to me.")
    weight = {r.code: r.weight for r in one}["email.advance_fee_language"]
    assert {r.code: r.weight for r in two}["email.advance_fee_language"] > weight


@pytest.mark.parametrize(
    "text",
    [
        "The order number is in the attachment; contact us at the front desk.",
        "Cancer research got 318 million euros of funding this year, the paper says.",
        "To cancel your subscription, click unsubscribe below.",
        "I am 40 and my computer is slow; the survey results are attached.",
    ],
)
def test_ordinary_sentences_are_not_lures(text: str) -> None:
    lures = {
        "email.advance_fee_language",
        "email.romance_language",
        "email.fake_invoice_language",
        "email.scareware_language",
        "email.prize_draw_language",
        "email.investment_language",
    }
    assert not codes(text) & lures


def test_mailbox_quota_shared_document_and_withdrawal_lures() -> None:
    assert "email.credential_language" in codes("Your mailbox is almost full. Update now.")
    assert "email.credential_language" in codes("A document has been shared with you.")
    assert "email.scam_language" in codes("Withdrawal error: your balance will be cleared.")
