"""Notify users: a mail to the people an alert affects, drafted from its evidence.

As on the alert page of the reference ("Notify users"), the analyst gets a draft — recipients
from the evidence, a subject and body in the chosen language — edits it, and sends it. Sending
goes through the :class:`~autoir.ports.remediation.Notifier` port and leaves a comment on the
alert ("Notified 3 users: …") so that the alert's history shows who was told what.

The mail is sent outside any database transaction: a writer holds SQLite's write lock for its
whole transaction, and a mail server can take seconds. The comment is written in its own
transaction afterwards; if the notifier fails, nothing is recorded and the error propagates
(``ConnectorUnavailable`` to retry, ``ConnectorRejected`` for a refusal).
"""

from __future__ import annotations

from dataclasses import dataclass

from autoir.domain.access.permissions import Principal
from autoir.domain.alerts.record import AlertRecord, Comment
from autoir.domain.errors import FieldError, NotFound, ValidationFailed
from autoir.domain.notifications.recipients import (
    MAX_RECIPIENTS,
    CheckedMessage,
    affected_recipients,
    check_message,
)
from autoir.domain.notifications.templates import (
    BUILTIN_TEMPLATES,
    NotificationTemplates,
    alert_facts,
)
from autoir.ports.remediation import Notification, Notifier
from autoir.services.context import ServiceContext

LISTED_IN_COMMENT = 50


@dataclass(frozen=True, slots=True)
class NotificationDraft:
    """What the compose form starts from; ``omitted`` counts addresses past the limit."""

    alert_id: str
    locale: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    omitted: int = 0


@dataclass(frozen=True, slots=True)
class NotificationSent:
    """A sent notification and the comment that records it on the alert."""

    alert_id: str
    message_id: str
    recipients: tuple[str, ...]
    subject: str
    comment: Comment


def sent_comment(message: CheckedMessage) -> str:
    """``Notified 3 users: a@…, b@…, c@…`` and the subject, for the alert's comments."""
    count = len(message.recipients)
    listed = ", ".join(message.recipients[:LISTED_IN_COMMENT])
    if count > LISTED_IN_COMMENT:
        listed += f" and {count - LISTED_IN_COMMENT} more"
    noun = "user" if count == 1 else "users"
    return f"Notified {count} {noun}: {listed}\nSubject: {message.subject}"


class NotificationService:
    """Drafts and sends notifications to the users an alert affects."""

    def __init__(
        self,
        ctx: ServiceContext,
        notifier: Notifier,
        templates: NotificationTemplates = BUILTIN_TEMPLATES,
    ) -> None:
        self._ctx = ctx
        self._notifier = notifier
        self._templates = templates

    @property
    def locales(self) -> tuple[str, ...]:
        """The languages a draft can be written in."""
        return self._templates.locales

    def language(self, locale: str | None) -> str:
        """The template language for ``locale`` (``fr``, ``fr-CA``, ``FR``…).

        Raises:
            ValidationFailed: for a language without templates.
        """
        if not locale:
            return self._templates.default_locale
        language = locale.replace("_", "-").split("-", 1)[0].strip().lower()
        if not self._templates.supports(language):
            raise ValidationFailed(
                [
                    FieldError(
                        "locale",
                        f"unsupported language {locale[:20]!r}; "
                        f"expected one of {', '.join(self.locales)}",
                    )
                ]
            )
        return language

    def _alert(self, alert_id: str) -> AlertRecord:
        with self._ctx.read_uow() as uow:
            alert = uow.alerts.get(alert_id)
        if alert is None:
            raise NotFound("alert", alert_id)
        return alert

    def draft_for_alert(self, alert_id: str, locale: str | None) -> NotificationDraft:
        """Recipients from the alert's evidence; subject and body from the template."""
        language = self.language(locale)
        alert = self._alert(alert_id)
        recipients = affected_recipients(alert.evidence)
        rendered = self._templates.render(alert_facts(alert), language)
        return NotificationDraft(
            alert_id=alert.id,
            locale=language,
            recipients=recipients[:MAX_RECIPIENTS],
            subject=rendered.subject,
            body=rendered.body,
            omitted=max(0, len(recipients) - MAX_RECIPIENTS),
        )

    def send_for_alert(
        self,
        principal: Principal,
        alert_id: str,
        recipients: object,
        subject: object,
        body: object,
    ) -> NotificationSent:
        """Check, send through the notifier, and record a comment on the alert.

        Raises:
            ValidationFailed: bad recipients, subject or body (nothing is sent).
            NotFound: no such alert (nothing is sent).
            ConnectorError: the notifier failed (nothing is recorded).
        """
        message = check_message(recipients, subject, body)
        alert = self._alert(alert_id)
        message_id = self._notifier.send(
            Notification(recipients=message.recipients, subject=message.subject, body=message.body)
        )
        comment = Comment(sent_comment(message), principal.display_name, self._ctx.clock.now())
        with self._ctx.uow() as uow:
            uow.alerts.add_comment(alert.id, comment)
            uow.commit()
        return NotificationSent(alert.id, message_id, message.recipients, message.subject, comment)
