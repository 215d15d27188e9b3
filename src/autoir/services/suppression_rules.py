"""Suppression rules (issue 7): create, read, replace, delete with release, dry run, drafts.

Rules are checked on the way in: the JSON shape (``domain/suppression/rule_json.py``), an expiry
in the future, a ``users`` scope only from an administrator (reference §4.1: the *settings*
permission, which the Global and Security administrator roles hold), and never for custom
detections — neither the alert a rule is made from (``sourceAlertId``) nor a detector whose
alerts are custom detections. Every write forgets the ingest index, so the next batch uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from autoir.domain.access.permissions import Permission, Principal
from autoir.domain.alerts.record import AlertRecord
from autoir.domain.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from autoir.domain.suppression.matching import (
    AlertSubject,
    compile_rule,
    conditions_from_alert,
    is_custom_detection,
)
from autoir.domain.suppression.properties import EvidenceType
from autoir.domain.suppression.rule import (
    AlertScope,
    AlertScopeKind,
    ConditionGroup,
    GroupOp,
    RuleScope,
    ScopeKind,
    StoredRule,
    SuppressionAction,
    SuppressionRule,
)
from autoir.domain.suppression.rule_json import MAX_NAME, parse_rule
from autoir.ports.unit_of_work import UnitOfWork
from autoir.services.alert_suppression import AlertSuppressor
from autoir.services.context import ServiceContext

DRY_RUN_WINDOW = timedelta(days=30)
DRY_RUN_EXAMPLES = 20
# A dry run reads at most this many alerts of the window (newest first): the answer says so.
DRY_RUN_SCAN = 200_000
DRAFT_EXPIRY = timedelta(days=7)
CUSTOM_DETECTION = (
    "Suppression rules do not apply to custom detection alerts; change or turn off the custom "
    "detection rule instead."
)


@dataclass(frozen=True, slots=True)
class DryRun:
    """How many alerts of the last 30 days the rule would have matched, with examples."""

    count: int
    examples: list[AlertRecord]
    scanned: int
    truncated: bool


def alert_targets(alert: AlertRecord) -> dict[ScopeKind, str]:
    """The device and user a "this device" / "this user" scope would name, when there is one."""
    facts = subject_of_record(alert).facts
    out: dict[ScopeKind, str] = {}
    device = facts.get((EvidenceType.DEVICE, "deviceId")) or facts.get(
        (EvidenceType.DEVICE, "deviceDnsName")
    )
    if device:
        out[ScopeKind.DEVICES] = device[0][0]
    user = (
        facts.get((EvidenceType.USER, "userPrincipalName"))
        or facts.get((EvidenceType.MAILBOX, "upn"))
        or facts.get((EvidenceType.MAILBOX, "primaryAddress"))
    )
    if user:
        out[ScopeKind.USERS] = user[0][0]
    return out


def subject_of_record(alert: AlertRecord) -> AlertSubject:
    """What the rules look at in a stored alert."""
    return AlertSubject(
        alert.service_source, alert.detection_source, alert.detector_id, alert.evidence
    )


class SuppressionRuleService:
    """Use cases of ``/api/v1/suppression-rules`` and the alert page's Suppress form."""

    def __init__(self, ctx: ServiceContext, suppressor: AlertSuppressor) -> None:
        """Keep the context and the ingest suppressor (its cache is reset on writes)."""
        self._ctx = ctx
        self._suppressor = suppressor

    def list_rules(self) -> list[StoredRule]:
        """Every rule, oldest first."""
        with self._ctx.read_uow() as uow:
            return uow.suppression.list_rules()

    def get(self, rule_id: str) -> StoredRule:
        """One rule."""
        with self._ctx.read_uow() as uow:
            return self._require(uow, rule_id)

    def create(self, principal: Principal, body: object) -> StoredRule:
        """Check and store a new rule."""
        rule = parse_rule(body)
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            self._check(uow, principal, rule)
            stored = StoredRule(
                id=self._ctx.ids.guid(),
                rule=rule,
                created_by=principal.name,
                created=now,
                updated_by=principal.name,
                updated=now,
                match_count=0,
                last_match=None,
            )
            uow.suppression.add(stored)
            uow.commit()
        self._suppressor.invalidate()
        return stored

    def update(self, principal: Principal, rule_id: str, body: object) -> StoredRule:
        """Replace a rule's definition (its counters stay)."""
        rule = parse_rule(body)
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            self._require(uow, rule_id)
            self._check(uow, principal, rule)
            uow.suppression.replace(rule_id, rule, principal.name, now)
            stored = self._require(uow, rule_id)
            uow.commit()
        self._suppressor.invalidate()
        return stored

    def delete(self, principal: Principal, rule_id: str, *, release: bool) -> list[int]:
        """Delete a rule; with ``release`` its alerts are shown and reopened again.

        Returns the incidents whose alerts were released (recounted here). Without release the
        alerts keep their ``suppressionRuleId`` and stay queryable by it.
        """
        now = self._ctx.clock.now()
        with self._ctx.uow() as uow:
            stored = self._require(uow, rule_id)
            if stored.rule.scope.kind is ScopeKind.USERS:
                self._require_admin(principal)
            incidents = uow.suppression.release_alerts(rule_id, now) if release else []
            for incident_id in incidents:
                uow.incidents.refresh(incident_id, now)
            uow.suppression.delete(rule_id)
            uow.commit()
        self._suppressor.invalidate()
        return incidents

    def dry_run(self, body: object) -> DryRun:
        """The alerts of the last 30 days the rule would have matched (on or off, any expiry)."""
        rule = parse_rule(body)
        compiled = compile_rule("dry-run", rule)
        now = self._ctx.clock.now()
        detector = (
            rule.alert_scope.detector_id
            if rule.alert_scope.kind is AlertScopeKind.THIS_ALERT_TYPE
            else None
        )
        group_of = self._suppressor.group_resolver()
        count = scanned = 0
        examples: list[AlertRecord] = []
        with self._ctx.read_uow() as uow:
            sources = [s.value for s in rule.service_sources]
            for alert in uow.suppression.alerts_since(
                now - DRY_RUN_WINDOW, sources, detector, DRY_RUN_SCAN
            ):
                scanned += 1
                if is_custom_detection(alert.detection_source, alert.id):
                    continue
                if compiled.matches(subject_of_record(alert), group_of):
                    count += 1
                    if len(examples) < DRY_RUN_EXAMPLES:
                        examples.append(alert)
        return DryRun(count, examples, scanned, truncated=scanned >= DRY_RUN_SCAN)

    def draft_for_alert(self, alert_id: str) -> SuppressionRule:
        """A rule pre-filled from an alert: its type, its IOCs, organisation, hide, 7 days."""
        with self._ctx.read_uow() as uow:
            alert = uow.alerts.get(alert_id)
        if alert is None:
            raise NotFound("alert", alert_id)
        if is_custom_detection(alert.detection_source, alert.id):
            raise ValidationFailed([FieldError("alertId", CUSTOM_DETECTION)], CUSTOM_DETECTION)
        conditions = conditions_from_alert(alert.evidence)
        if alert.detector_id:
            scope = AlertScope(AlertScopeKind.THIS_ALERT_TYPE, alert.detector_id)
        elif conditions is not None:
            scope = AlertScope(AlertScopeKind.ANY_ALERT_TYPE)
        else:
            raise ValidationFailed(
                [FieldError("alertId", "the alert has neither a detector id nor evidence to match")]
            )
        return SuppressionRule(
            name=f"Suppress: {alert.title}"[:MAX_NAME],
            comment=None,
            enabled=True,
            service_sources=(alert.service_source,),
            alert_scope=scope,
            conditions=conditions,
            scope=RuleScope(ScopeKind.ORGANIZATION),
            action=SuppressionAction.HIDE,
            expires=self._ctx.clock.now() + DRAFT_EXPIRY,
            source_alert_id=alert.id,
        )

    def draft_json(self, alert_id: str) -> dict[str, Any]:
        """The draft's JSON, as ``POST /api/v1/suppression-rules`` takes it."""
        return self.draft_for_alert(alert_id).to_json()

    def draft_with(
        self,
        alert_id: str,
        *,
        days: int | None,
        action: SuppressionAction,
        keep: set[int],
        scope: ScopeKind,
    ) -> SuppressionRule:
        """The alert's draft with the Suppress form's choices.

        ``days`` None: until removed; ``keep``: indexes of the draft's conditions to keep (none
        left: "any IOC"); ``scope`` devices/users: the alert's first device or user.
        """
        draft = self.draft_for_alert(alert_id)
        items = draft.conditions.items if draft.conditions else ()
        kept = tuple(item for i, item in enumerate(items) if i in keep)
        conditions = ConditionGroup(GroupOp.AND, kept) if kept else None
        if conditions is None and draft.alert_scope.kind is AlertScopeKind.ANY_ALERT_TYPE:
            raise ValidationFailed(
                [FieldError("conditions", "keep at least one condition: the alert has no type")]
            )
        rule_scope = RuleScope(ScopeKind.ORGANIZATION)
        if scope is not ScopeKind.ORGANIZATION:
            target = alert_targets(self._alert(alert_id)).get(scope)
            if target is None:
                raise ValidationFailed([FieldError("scope", f"the alert names no {scope.value}")])
            rule_scope = RuleScope(scope, (target.lower(),))
        expires = None if days is None else self._ctx.clock.now() + timedelta(days=days)
        return replace(
            draft, conditions=conditions, action=action, scope=rule_scope, expires=expires
        )

    def _alert(self, alert_id: str) -> AlertRecord:
        with self._ctx.read_uow() as uow:
            alert = uow.alerts.get(alert_id)
        if alert is None:
            raise NotFound("alert", alert_id)
        return alert

    def _check(self, uow: UnitOfWork, principal: Principal, rule: SuppressionRule) -> None:
        if rule.scope.kind is ScopeKind.USERS:
            self._require_admin(principal)
        errors: list[FieldError] = []
        if rule.expires is not None and rule.expires <= self._ctx.clock.now():
            errors.append(FieldError("expiresDateTime", "must be in the future"))
        if rule.source_alert_id is not None:
            source = uow.alerts.get(rule.source_alert_id)
            if source is None:
                errors.append(FieldError("sourceAlertId", "names no alert"))
            elif is_custom_detection(source.detection_source, source.id):
                errors.append(FieldError("sourceAlertId", CUSTOM_DETECTION))
        detector = rule.alert_scope.detector_id
        if rule.alert_scope.kind is AlertScopeKind.THIS_ALERT_TYPE and detector:
            latest = uow.alerts.similar(f"d:{detector.lower()}", "", 1)
            if latest and is_custom_detection(latest[0].detection_source, latest[0].id):
                errors.append(FieldError("alertScope.detectorId", CUSTOM_DETECTION))
        if errors:
            message = (
                CUSTOM_DETECTION if any(e.message == CUSTOM_DETECTION for e in errors) else None
            )
            raise ValidationFailed(errors, message or "The request is invalid.")

    @staticmethod
    def _require_admin(principal: Principal) -> None:
        if Permission.SETTINGS not in principal.permissions:
            raise PermissionDenied(
                "A rule scoped to users needs the administrator role (the settings permission)."
            )

    @staticmethod
    def _require(uow: UnitOfWork, rule_id: str) -> StoredRule:
        stored = uow.suppression.get(rule_id)
        if stored is None:
            raise NotFound("suppression rule", rule_id)
        return stored
