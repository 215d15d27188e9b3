"""Ingesting alerts: validation, provider dedup, fingerprint folding, suppression, correlation."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from autoir.domain.alerts.draft import AlertDraft, parse_alert
from autoir.domain.alerts.ids import make_alert_id
from autoir.domain.errors import FieldError, ValidationFailed
from autoir.domain.incidents.aggregate import IncidentStats
from autoir.domain.incidents.correlation import CorrelationInput, correlate
from autoir.ports.repositories import AlertRef, NewAlert, NewIncident
from autoir.ports.unit_of_work import UnitOfWork
from autoir.services.alert_suppression import AlertSuppressor
from autoir.services.context import ServiceContext

log = logging.getLogger("autoir.ingest")


@dataclass(slots=True)
class IngestResult:
    """Ids of the resulting alerts in input order, and what happened to them."""

    ids: list[str]
    created: int = 0
    updated: int = 0
    folded: int = 0
    incidents: set[int] = field(default_factory=set)
    absorbed: set[int] = field(default_factory=set)


@dataclass(slots=True)
class _Pending:
    """A new alert collected during the batch, with repeats folded into it."""

    id: str
    draft: AlertDraft
    occurrences: int = 1
    last_activity: datetime | None = None


class _CyclicGcPause:
    """Holds Python's cyclic garbage collector while batches are being ingested.

    A batch allocates some 100,000 container objects (drafts, entities, documents, rows) that
    all live until it is stored, so the collector's passes during a batch traversed them, and
    every long-lived object of the process, without freeing anything: a sixth of ingest time.
    Reference counting still frees everything as usual; the collector resumes when the last
    concurrent batch ends (unless it was disabled before the first began).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._batches = 0
        self._resume = False

    def __enter__(self) -> None:
        with self._lock:
            if self._batches == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._batches += 1

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            self._batches -= 1
            if self._batches == 0 and self._resume:
                gc.enable()


_CYCLIC_GC_PAUSE = _CyclicGcPause()


class AlertIngestService:
    """``POST /api/v1/alerts``: one alert or an all-or-nothing batch."""

    def __init__(
        self,
        ctx: ServiceContext,
        on_created: Callable[[], None] | None = None,
        suppressor: AlertSuppressor | None = None,
    ) -> None:
        """``on_created`` runs after a batch that created alerts is committed (triage them now).

        ``suppressor`` applies the suppression rules to the batch's new alerts (issue 7).
        """
        self._ctx = ctx
        self._on_created = on_created
        self._suppressor = suppressor

    def ingest(self, payloads: list[object]) -> IngestResult:
        """Validate and store alerts; on any error raise ValidationFailed and write nothing."""
        policy = self._ctx.policy
        if len(payloads) > policy.max_batch:
            raise ValidationFailed(
                [
                    FieldError(
                        "value",
                        f"a batch holds at most {policy.max_batch} "
                        f"alerts; this one has {len(payloads)}",
                    )
                ]
            )
        if not payloads:
            raise ValidationFailed([FieldError("value", "the batch is empty")])
        with _CYCLIC_GC_PAUSE:
            return self._ingest(payloads)

    def _ingest(self, payloads: list[object]) -> IngestResult:
        now = self._ctx.clock.now()
        errors: list[FieldError] = []
        drafts = [parse_alert(p, f"value[{i}]", now, errors) for i, p in enumerate(payloads)]
        if errors:
            raise ValidationFailed(errors)
        checked = [d for d in drafts if d is not None]
        with self._ctx.uow() as uow:
            result = self._store(uow, checked, now)
            uow.commit()
        if result.created and self._on_created is not None:
            try:
                self._on_created()
            except Exception:  # the periodic sweep triages them anyway
                log.warning("could not request triage of new alerts", exc_info=True)
        return result

    def _store(self, uow: UnitOfWork, drafts: list[AlertDraft], now: datetime) -> IngestResult:
        policy = self._ctx.policy
        provider_keys = list(
            dict.fromkeys(
                (d.service_source.value, d.provider_alert_id) for d in drafts if d.provider_alert_id
            )
        )
        existing = uow.alerts.find_by_provider_keys(provider_keys) if provider_keys else {}
        unkeyed = [d for d in drafts if not d.provider_alert_id]
        open_by_fp: dict[str, AlertRef] = {}
        if unkeyed:
            since = min(d.first_activity for d in unkeyed) - policy.dedup_window
            open_by_fp = uow.alerts.find_open_by_fingerprints(
                list(dict.fromkeys(d.fingerprint for d in unkeyed)), since
            )

        result = IngestResult(ids=[])
        pending: dict[str, _Pending] = {}
        by_provider: dict[tuple[str, str], str] = {}
        by_fingerprint: dict[str, str] = {}
        folds: dict[str, tuple[int, datetime]] = {}
        recount: set[int] = set()
        updated: dict[str, AlertDraft] = {}
        for draft in drafts:
            if draft.provider_alert_id:
                key = (draft.service_source.value, draft.provider_alert_id)
                ref = existing.get(key)
                if ref is not None:
                    updated[ref.id] = draft
                    if ref.incident_id is not None:
                        result.incidents.add(ref.incident_id)
                        recount.add(ref.incident_id)
                    result.ids.append(ref.id)
                    continue
                if key in by_provider:  # the same alert twice in one batch: the later copy wins
                    pending[by_provider[key]].draft = draft
                    result.ids.append(by_provider[key])
                    continue
                alert_id = self._new_id(draft)
                by_provider[key] = alert_id
            else:
                ref = open_by_fp.get(draft.fingerprint)
                if (
                    ref is not None
                    and ref.last_activity >= draft.first_activity - policy.dedup_window
                ):
                    occurrences, last = folds.get(ref.id, (ref.occurrences, ref.last_activity))
                    folds[ref.id] = (occurrences + 1, max(last, draft.last_activity))
                    if ref.incident_id is not None:
                        result.incidents.add(ref.incident_id)
                    result.ids.append(ref.id)
                    result.folded += 1
                    continue
                if draft.fingerprint in by_fingerprint:
                    entry = pending[by_fingerprint[draft.fingerprint]]
                    entry.occurrences += 1
                    entry.last_activity = max(
                        entry.last_activity or entry.draft.last_activity, draft.last_activity
                    )
                    result.ids.append(entry.id)
                    result.folded += 1
                    continue
                alert_id = self._new_id(draft)
                by_fingerprint[draft.fingerprint] = alert_id
            pending[alert_id] = _Pending(alert_id, draft)
            result.ids.append(alert_id)

        for alert_id, draft in updated.items():
            uow.alerts.update_from_source(alert_id, draft, now)
        result.updated = len(updated)
        visible, hidden = self._suppress(uow, pending, now)
        new_alerts, merged = self._correlate(uow, visible, now, result)
        new_alerts.extend(NewAlert(p.id, None, p.draft) for p in hidden)
        recount.update(merged)
        uow.alerts.insert(new_alerts, policy.tenant_id, now)
        result.created = len(new_alerts)
        for entry in pending.values():
            if entry.occurrences > 1:
                folds[entry.id] = (
                    entry.occurrences,
                    entry.last_activity or entry.draft.last_activity,
                )
        for alert_id, (occurrences, last_activity) in folds.items():
            uow.alerts.fold(alert_id, occurrences, last_activity, now)
        for incident_id in sorted(recount - result.absorbed):
            uow.incidents.refresh(incident_id, now)
        return result

    def _suppress(
        self, uow: UnitOfWork, pending: dict[str, _Pending], now: datetime
    ) -> tuple[list[_Pending], list[_Pending]]:
        """Apply the suppression rules to the new alerts: (to correlate, hidden).

        Hidden alerts form no incident and link none (reference §4.1).
        """
        if self._suppressor is None or not pending:
            return list(pending.values()), []
        entries = [(p.id, p.draft) for p in pending.values()]
        changed = self._suppressor.apply(uow, entries, now)
        if not changed:
            return list(pending.values()), []
        for alert_id, draft in changed.items():
            pending[alert_id].draft = draft
        visible = [p for p in pending.values() if not p.draft.hidden]
        return visible, [p for p in pending.values() if p.draft.hidden]

    def _new_id(self, draft: AlertDraft) -> str:
        return make_alert_id(draft.service_source, draft.detection_source, self._ctx.ids.guid())

    def _correlate(
        self, uow: UnitOfWork, pending: list[_Pending], now: datetime, result: IngestResult
    ) -> tuple[list[NewAlert], set[int]]:
        """Assign each new alert an incident: join, merge or create (all set-based).

        Returns the alerts to insert and the incidents that absorbed others (to recount).
        """
        if not pending:
            return [], set()
        window = self._ctx.policy.correlation_window
        keys_per_alert = [
            tuple((str(e.kind), e.value) for e in p.draft.entities if e.strong) for p in pending
        ]
        all_keys = list(dict.fromkeys(k for keys in keys_per_alert for k in keys))
        since = min(p.draft.created for p in pending) - window
        cap = self._ctx.policy.max_incident_alerts
        known = uow.alerts.incidents_by_entities(all_keys, since) if all_keys else {}
        joinable = uow.incidents.open_under([i for hits in known.values() for i, _ in hits], cap)
        inputs = []
        for p, keys in zip(pending, keys_per_alert, strict=True):
            floor = p.draft.created - window
            candidates = {
                i
                for key in keys
                for i, seen in known.get(key, ())
                if seen >= floor and i in joinable
            }
            inputs.append(CorrelationInput(keys, p.draft.created, tuple(sorted(candidates))))
        groups = correlate(inputs, window, cap)
        stats = [self._stats([pending[i] for i in g.alert_indexes]) for g in groups]
        fresh = [(g, s) for g, s in zip(groups, stats, strict=True) if g.keeper is None]
        new_ids = uow.incidents.create_many(
            [
                NewIncident(min(pending[i].draft.created for i in g.alert_indexes), s)
                for g, s in fresh
            ],
            self._ctx.policy.tenant_id,
            now,
        )
        incident_of_group = {
            id(g): incident for (g, _), incident in zip(fresh, new_ids, strict=True)
        }
        new_alerts: list[NewAlert] = []
        merged: set[int] = set()
        for group, group_stats in zip(groups, stats, strict=True):
            keeper = group.keeper
            if keeper is None:
                keeper = incident_of_group[id(group)]
            else:
                for absorbed in group.absorbed:
                    uow.alerts.move_to_incident(absorbed, keeper)
                    uow.incidents.redirect(absorbed, keeper, now)
                    result.incidents.discard(absorbed)
                    result.absorbed.add(absorbed)
                    merged.add(keeper)
                if keeper not in merged:
                    uow.incidents.add_alerts(keeper, group_stats, now)
            new_alerts.extend(
                NewAlert(pending[i].id, keeper, pending[i].draft) for i in group.alert_indexes
            )
        result.incidents.update(g.keeper or incident_of_group[id(g)] for g in groups)
        return new_alerts, merged

    @staticmethod
    def _stats(members: list[_Pending]) -> IncidentStats:
        stats = IncidentStats()
        for member in sorted(members, key=lambda m: m.draft.created):
            draft = member.draft
            stats.add_alert(
                draft.title, draft.severity, draft.status, draft.category, draft.entities
            )
        return stats
