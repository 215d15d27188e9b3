# ruff: noqa: RUF001
"""The mail that tells affected users about an alert, in English and French.

The text names the alert, says what happened in words a non-specialist reads (a malicious
message in their mailbox, unusual activity on their account or on their device) and what to do
about it. The analyst reads and edits the draft before it is sent.

Facts taken from the evidence (message subject, sender, device name) are written as plain text,
shortened and stripped of control characters. URLs and attachment names are never copied: the
mail must not spread the link it warns about. Templates use :class:`string.Template`
placeholders (``$title``), which substitute values and nothing else. The French text uses
the typographic apostrophe, as the UI catalogue does (hence the file-wide RUF001 exemption).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from string import Template
from typing import Any

from autoir.domain.alerts.enums import ServiceSource
from autoir.domain.alerts.evidence import evidence_type_name
from autoir.domain.alerts.record import AlertRecord
from autoir.domain.notifications.recipients import MAX_SUBJECT

MAX_FACT = 200
MAX_FACTS = 3


class AlertKind(StrEnum):
    """What the alert is about, as far as the affected user is concerned."""

    EMAIL = "email"
    ACCOUNT = "account"
    DEVICE = "device"
    OTHER = "other"


_EMAIL_EVIDENCE = frozenset(
    {"analyzedMessageEvidence", "mailClusterEvidence", "submissionMailEvidence"}
)
_DEVICE_EVIDENCE = frozenset({"deviceEvidence", "fileEvidence", "processEvidence"})
_ACCOUNT_EVIDENCE = frozenset({"userEvidence", "mailboxEvidence", "cloudApplicationEvidence"})


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """What the mail says about an alert."""

    title: str
    when: datetime
    kind: AlertKind
    message_subjects: tuple[str, ...] = ()
    senders: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()


def _plain(value: object) -> str | None:
    """One line of at most ``MAX_FACT`` characters, or None for nothing usable."""
    if not isinstance(value, str):
        return None
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in value)
    text = " ".join(text.split())
    if not text:
        return None
    return text if len(text) <= MAX_FACT else text[: MAX_FACT - 1].rstrip() + "…"


def _first(values: Iterable[object]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for value in values:
        text = _plain(value)
        if text is not None:
            found.setdefault(text, None)
        if len(found) == MAX_FACTS:
            break
    return tuple(found)


def _sender(evidence: Mapping[str, Any]) -> object:
    for key in ("p2Sender", "p1Sender"):  # the From header first, then the envelope sender
        sender = evidence.get(key)
        if isinstance(sender, Mapping) and sender.get("emailAddress"):
            return sender.get("emailAddress")
    return evidence.get("sender")  # submissionMailEvidence


def alert_facts(alert: AlertRecord) -> AlertFacts:
    """The facts about ``alert`` that its notification states."""
    typed = [(evidence_type_name(ev.get("@odata.type")) or "", ev) for ev in alert.evidence]
    names = {name for name, _ in typed}
    if (
        names & _EMAIL_EVIDENCE
        or alert.service_source is ServiceSource.MICROSOFT_DEFENDER_FOR_OFFICE365
    ):
        kind = AlertKind.EMAIL
    elif names & _DEVICE_EVIDENCE:
        kind = AlertKind.DEVICE
    elif names & _ACCOUNT_EVIDENCE:
        kind = AlertKind.ACCOUNT
    else:
        kind = AlertKind.OTHER
    messages = [ev for name, ev in typed if name in _EMAIL_EVIDENCE]
    return AlertFacts(
        title=_plain(alert.title) or alert.id,
        when=alert.first_activity,
        kind=kind,
        message_subjects=_first(ev.get("subject") for ev in messages),
        senders=_first(_sender(ev) for ev in messages),
        devices=_first(ev.get("deviceDnsName") for name, ev in typed if name == "deviceEvidence"),
    )


@dataclass(frozen=True, slots=True)
class TemplateText:
    """The wording of the notification in one language (``string.Template`` placeholders)."""

    subject: str
    greeting: str
    intro: str
    what_heading: str
    what: Mapping[AlertKind, str]
    message_subject: str
    sender: str
    device: str
    todo_heading: str
    todo: Mapping[AlertKind, tuple[str, ...]]
    closing: str
    signature: str
    date: str
    months: tuple[str, ...]


ENGLISH = TemplateText(
    subject="Security notice: $title",
    greeting="Hello,",
    intro="Our security team is looking into an alert that involves your account or mailbox:",
    what_heading="What happened",
    what={
        AlertKind.EMAIL: "On $when, a message that looks malicious was delivered to your mailbox.",
        AlertKind.ACCOUNT: "On $when, we saw activity on your account that may not have been "
        "yours, such as a sign-in from an unusual place or a change to your mailbox settings.",
        AlertKind.DEVICE: "On $when, suspicious activity was detected on a device you use.",
        AlertKind.OTHER: "On $when, our monitoring raised this alert about activity linked to "
        "your account.",
    },
    message_subject="Subject of the message: “$value”",
    sender="Sender: $value",
    device="Device: $value",
    todo_heading="What you should do",
    todo={
        AlertKind.EMAIL: (
            "Do not open the message, its links or its attachments, and do not reply to it.",
            (
                "If you already clicked a link, opened an attachment or typed your password on a "
                "page it led to, tell the security team now and change your password."
            ),
            (
                "Report similar messages to the security team instead of forwarding them to "
                "colleagues."
            ),
        ),
        AlertKind.ACCOUNT: (
            "If this was not you, change your password now and tell the security team.",
            (
                "Do not approve sign-in or multi-factor authentication requests that you did not "
                "start yourself."
            ),
        ),
        AlertKind.DEVICE: (
            (
                "Keep the device switched on and connected so that the security team can examine "
                "it; do not try to clean it yourself."
            ),
            "Save your work: the device may be cut off from the network for a while.",
            (
                "Tell the security team if you noticed anything unusual, such as pop-ups, slowness "
                "or files you did not create."
            ),
        ),
        AlertKind.OTHER: (
            "Tell the security team if you did not do this, or if you noticed anything unusual.",
        ),
    },
    closing="You do not need to reply to this message. If you have a question, or notice "
    "anything else unusual, contact the security team.",
    signature="Thank you,\nThe security team",
    date="$month $day, $year at $time UTC",
    months=(
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
)

FRENCH = TemplateText(
    subject="Avis de sécurité : $title",
    greeting="Bonjour,",
    intro="Notre équipe de sécurité examine une alerte qui concerne votre compte ou votre boîte "
    "aux lettres :",
    what_heading="Ce qui s’est passé",
    what={
        AlertKind.EMAIL: "Le $when, un message qui semble malveillant a été distribué dans votre "
        "boîte aux lettres.",
        AlertKind.ACCOUNT: "Le $when, nous avons vu sur votre compte une activité qui n’était "
        "peut-être pas la vôtre, par exemple une connexion depuis un lieu inhabituel ou une "
        "modification des paramètres de votre boîte aux lettres.",
        AlertKind.DEVICE: "Le $when, une activité suspecte a été détectée sur un appareil que "
        "vous utilisez.",
        AlertKind.OTHER: "Le $when, notre surveillance a déclenché cette alerte au sujet d’une "
        "activité liée à votre compte.",
    },
    message_subject="Objet du message : « $value »",
    sender="Expéditeur : $value",
    device="Appareil : $value",
    todo_heading="Ce que vous devez faire",
    todo={
        AlertKind.EMAIL: (
            "N’ouvrez pas le message, ses liens ni ses pièces jointes, et n’y répondez pas.",
            (
                "Si vous avez déjà cliqué sur un lien, ouvert une pièce jointe ou saisi votre "
                "mot de passe sur une page où il menait, prévenez tout de suite l’équipe de "
                "sécurité et changez votre mot de passe."
            ),
            (
                "Signalez les messages semblables à l’équipe de sécurité au lieu de les transférer "
                "à vos collègues."
            ),
        ),
        AlertKind.ACCOUNT: (
            (
                "Si ce n’était pas vous, changez votre mot de passe tout de suite et prévenez "
                "l’équipe de sécurité."
            ),
            (
                "N’approuvez aucune demande de connexion ou d’authentification multifacteur "
                "que vous n’avez pas faite vous-même."
            ),
        ),
        AlertKind.DEVICE: (
            (
                "Laissez l’appareil allumé et connecté pour que l’équipe de sécurité puisse "
                "l’examiner ; n’essayez pas de le nettoyer vous-même."
            ),
            "Enregistrez votre travail : l’appareil peut être coupé du réseau pendant un moment.",
            (
                "Prévenez l’équipe de sécurité si vous avez remarqué quelque chose d’inhabituel : "
                "fenêtres surgissantes, lenteurs, fichiers que vous n’avez pas créés."
            ),
        ),
        AlertKind.OTHER: (
            (
                "Prévenez l’équipe de sécurité si ce n’était pas vous, ou si vous avez remarqué "
                "quelque chose d’inhabituel."
            ),
        ),
    },
    closing="Vous n’avez pas besoin de répondre à ce message. Pour toute question, ou si vous "
    "remarquez autre chose d’inhabituel, contactez l’équipe de sécurité.",
    signature="Merci,\nL’équipe de sécurité",
    date="$day $month $year à $time UTC",
    months=(
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
)


@dataclass(frozen=True, slots=True)
class RenderedNotification:
    """A subject and a plain-text body."""

    subject: str
    body: str


def _fill(template: str, **values: str) -> str:
    return Template(template).safe_substitute(values)


@dataclass(frozen=True, slots=True)
class NotificationTemplates:
    """The wording per language; English is used for a language it lacks."""

    texts: Mapping[str, TemplateText] = field(default_factory=lambda: {"en": ENGLISH, "fr": FRENCH})
    default_locale: str = "en"

    @property
    def locales(self) -> tuple[str, ...]:
        """The languages a notification can be written in."""
        return tuple(self.texts)

    def supports(self, locale: str) -> bool:
        """Whether there is wording for ``locale``."""
        return locale in self.texts

    def _when(self, text: TemplateText, moment: datetime) -> str:
        utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
        return _fill(
            text.date,
            month=text.months[utc.month - 1],
            day=str(utc.day),
            year=str(utc.year),
            time=f"{utc:%H:%M}",
        )

    def render(self, facts: AlertFacts, locale: str) -> RenderedNotification:
        """The subject and body for ``facts`` in ``locale``."""
        text = self.texts.get(locale) or self.texts[self.default_locale]
        subject = _fill(text.subject, title=facts.title)
        if len(subject) > MAX_SUBJECT:
            subject = subject[: MAX_SUBJECT - 1].rstrip() + "…"
        what = [_fill(text.what[facts.kind], when=self._when(text, facts.when))]
        if facts.kind is AlertKind.EMAIL:
            what += [_fill(text.message_subject, value=v) for v in facts.message_subjects]
            what += [_fill(text.sender, value=v) for v in facts.senders]
        what += [_fill(text.device, value=v) for v in facts.devices]
        body = "\n".join(
            [
                text.greeting,
                "",
                text.intro,
                "",
                f"    {facts.title}",
                "",
                text.what_heading,
                *what,
                "",
                text.todo_heading,
                *(f"- {line}" for line in text.todo[facts.kind]),
                "",
                text.closing,
                "",
                text.signature,
            ]
        )
        return RenderedNotification(subject, body)


BUILTIN_TEMPLATES = NotificationTemplates()
