"""The manage form (status, assignment, classification → determination, tags, comment).

Shared by the alert page, the bulk panel of the queue and "manage all similar alerts". The
classification/determination pair is checked here too, so that the analyst reads the reason in
their language; the service enforces the same rule (reference §6.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Form

from autoir.domain.alerts.classification import is_determination_allowed
from autoir.domain.alerts.enums import AlertClassification, AlertDetermination, parse_enum
from autoir.domain.alerts.record import AlertRecord
from autoir.domain.errors import FieldError, QueryInvalid, ValidationFailed
from autoir.services.alert_triage import AlertChanges, parse_changes
from autoir.ui.labels import N_
from autoir.ui.templating import Templates

PAIR_MESSAGE = N_("This determination does not belong to the chosen classification.")
NOTHING_MESSAGE = N_("Nothing to change: choose a new value or write a comment.")


@dataclass(frozen=True, slots=True)
class TriageInput:
    """Raw manage-form fields; empty means "leave unchanged" in bulk forms."""

    status: str = ""
    assign: str = ""
    assigned_to: str = ""
    classification: str = ""
    determination: str = ""
    tags: str | None = None
    comment: str = ""

    def _body(self, me: str) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.status:
            body["status"] = self.status
        if self.assign == "me":
            body["assignedTo"] = me
        elif self.assign == "unassign":
            body["assignedTo"] = None
        elif self.assign == "user" and self.assigned_to.strip():
            body["assignedTo"] = self.assigned_to.strip()
        if self.classification:
            body["classification"] = self.classification
            body["determination"] = self.determination or None
        elif self.determination:
            body["determination"] = self.determination
        if self.tags is not None:
            body["tags"] = [t.strip() for t in self.tags.split(",") if t.strip()]
        if self.comment.strip():
            body["comment"] = self.comment.strip()
        return body

    def changes(
        self, me: str, templates: Templates, locale: str, current: AlertRecord | None = None
    ) -> AlertChanges:
        """Checked changes; with ``current``, only the values that differ from the alert.

        Raises:
            ValidationFailed: with messages in the viewer's language where the UI knows them.
        """
        body = self._body(me)
        if current is not None:
            body = _differences(body, current)
        classification = body.get("classification")
        determination = body.get("determination")
        if "classification" in body or (current is not None and "determination" in body):
            c = parse_enum(AlertClassification, classification) if classification else None
            if c is None and current is not None and "classification" not in body:
                c = current.classification
            d = parse_enum(AlertDetermination, determination) if determination else None
            if not is_determination_allowed(c, d):
                raise ValidationFailed(
                    [FieldError("determination", templates.gettext(locale, PAIR_MESSAGE))]
                )
        if not body:
            raise ValidationFailed([FieldError("body", templates.gettext(locale, NOTHING_MESSAGE))])
        return parse_changes(body, allow_comment=True)


def _differences(body: dict[str, Any], current: AlertRecord) -> dict[str, Any]:
    """The single-alert form sends every field: keep the ones that change something."""
    now = {
        "status": current.status.value,
        "assignedTo": current.assigned_to,
        "classification": current.classification.value if current.classification else None,
        "determination": current.determination.value if current.determination else None,
        "tags": list(current.tags),
    }
    if "assignedTo" not in body:
        body["assignedTo"] = None
    if "classification" not in body:
        body["classification"] = None
        body["determination"] = None
    changed = {k: v for k, v in body.items() if k == "comment" or now.get(k) != v}
    for unknown in ("classification", "determination"):
        if changed.get(unknown) == "unknown" and now[unknown] is None:
            changed.pop(unknown)
    if "classification" in changed or "determination" in changed:
        changed["classification"] = body["classification"]
        changed["determination"] = body["determination"]
    return changed


def triage_input(
    status: Annotated[str, Form()] = "",
    assign: Annotated[str, Form()] = "",
    assigned_to: Annotated[str, Form()] = "",
    classification: Annotated[str, Form()] = "",
    determination: Annotated[str, Form()] = "",
    tags: Annotated[str | None, Form()] = None,
    comment: Annotated[str, Form()] = "",
) -> TriageInput:
    """Read the manage form's fields (a FastAPI dependency)."""
    return TriageInput(status, assign, assigned_to, classification, determination, tags, comment)


def translate_errors(
    exc: ValidationFailed | QueryInvalid, templates: Templates, locale: str
) -> list[str]:
    """Messages to show next to a form."""
    if isinstance(exc, QueryInvalid):
        return [str(exc)]
    messages: list[str] = []
    for error in exc.errors:
        if error.target.endswith("determination") and error.target != "determination":
            text = templates.gettext(locale, PAIR_MESSAGE) + f" ({error.target.split('.')[0]})"
        elif error.target in ("determination", "body"):
            text = error.message
        else:
            text = f"{error.target}: {error.message}"
        if text not in messages:
            messages.append(text)
    return messages
