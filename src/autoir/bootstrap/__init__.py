"""Composition root: Settings → adapters → services.

The only module that knows concrete adapter classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import Engine

from autoir.bootstrap.analysis import AnalysisComponents, build_analysis
from autoir.bootstrap.investigations import Automation, build_automation
from autoir.bootstrap.mail import MailServer, build_mail
from autoir.bootstrap.remediation import build_connectors
from autoir.domain.errors import DatabaseNotReady
from autoir.mime.reports import MimeReader
from autoir.platform.clock import RandomIds, SystemClock
from autoir.platform.passwords import Argon2PasswordHasher
from autoir.ports.clock import Clock, IdGenerator
from autoir.services.access import AccessService
from autoir.services.action_dispatch import Connectors
from autoir.services.agent_enrollment import AgentService
from autoir.services.alert_ingest import AlertIngestService
from autoir.services.alert_notifications import AlertNotificationService
from autoir.services.alert_queries import AlertQueryService
from autoir.services.alert_suppression import AlertSuppressor
from autoir.services.alert_triage import AlertTriageService
from autoir.services.automation_settings import AutomationSettingsService
from autoir.services.context import Policy, ServiceContext
from autoir.services.incidents import IncidentService
from autoir.services.mailbox_ingest import MailboxIngestService
from autoir.services.notifications import NotificationService
from autoir.services.suppression_rules import SuppressionRuleService
from autoir.services.telemetry_ingest import TelemetryIngestService
from autoir.services.telemetry_queries import TelemetryQueryService
from autoir.services.url_clicks import ClickPolicy, ClickTimeService
from autoir.settings import Settings
from autoir.storage.checkpoints import WalCheckpointer
from autoir.storage.database import (
    create_database_engine,
    is_sqlite,
    pending_migrations,
    start_checkpointer,
    upgrade_database,
)
from autoir.storage.unit_of_work import SqlUnitOfWork
from autoir.storage.url_blocker import SqlUrlBlocker
from autoir.tasks.mail_poller import MailPoller

TENANT_KEY = "tenant_id"


@dataclass(frozen=True, slots=True)
class Container:
    """Everything the edges use."""

    settings: Settings
    engine: Engine
    ctx: ServiceContext
    ingest: AlertIngestService
    alerts: AlertQueryService
    triage: AlertTriageService
    incidents: IncidentService
    access: AccessService
    automation: Automation
    telemetry_ingest: TelemetryIngestService
    telemetry: TelemetryQueryService
    url_blocks: SqlUrlBlocker
    clicks: ClickTimeService
    automation_settings: AutomationSettingsService
    notifications: NotificationService
    suppression: SuppressionRuleService
    alert_notifications: AlertNotificationService
    agents: AgentService
    mail: MailboxIngestService | None = None
    """Reads the mail server's mailboxes; None without one (``AUTOIR_MAIL__IMAP_HOST``)."""
    mail_server: MailServer | None = None
    checkpointer: WalCheckpointer | None = None

    def mail_status(self) -> dict[str, Any]:
        """The configured mail server (never a secret) and what the last scan did.

        What ``GET /api/v1/settings/mail`` returns and the settings page shows.
        """
        mail = self.settings.mail
        if self.mail is None:
            return {"configured": False, "lastScan": None}
        ingest = self.mail.settings
        poller = self.automation.mail_poller
        return {
            "configured": True,
            "imapHost": mail.imap_host,
            "imapPort": mail.effective_imap_port(),
            "imapSecurity": mail.imap_security,
            "sieveHost": mail.sieve_host or mail.imap_host,
            "sievePort": mail.sieve_port,
            "sieveSecurity": mail.sieve_security,
            "masterUser": mail.master_user,
            "mailboxCount": len(ingest.all_mailboxes()),
            "doveadmUrl": mail.doveadm_url,
            "reportMailbox": ingest.report_mailbox,
            "reportFolder": ingest.report_folder,
            "pollSeconds": mail.poll_seconds,
            "detect": ingest.detect,
            "pollerRunning": bool(poller is not None and poller.running),
            "lastScan": self.mail.last_scan(),
        }

    def close(self) -> None:
        """Stop background work and release database connections."""
        self.automation.stop_worker()
        if self.mail_server is not None:
            self.mail_server.close()
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()


def prepare_database(settings: Settings) -> Engine:
    """Create the data directory (embedded database) and the engine."""
    url = settings.effective_database_url()
    if is_sqlite(url):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return create_database_engine(url)


def migrate(settings: Settings) -> None:
    """``autoir db upgrade``."""
    engine = prepare_database(settings)
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()


def build(
    settings: Settings,
    *,
    migrate_embedded: bool = True,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    analysis: AnalysisComponents | None = None,
    connectors: Connectors | None = None,
) -> Container:
    """Wire the application. An embedded (SQLite) database is migrated on start.

    ``analysis`` lets a caller that builds many containers (tests) compile the analyzers once;
    ``connectors`` replaces the connector adapters (tests that seed their own).
    """
    engine = prepare_database(settings)
    if migrate_embedded and is_sqlite(settings.effective_database_url()):
        upgrade_database(engine)
    elif pending_migrations(engine):
        engine.dispose()
        raise DatabaseNotReady(
            "The database is not migrated to this version of AutoIR: run `autoir db upgrade` "
            "with the same AUTOIR_DATABASE_URL first."
        )
    tenant_id = settings.tenant_id or _stored_tenant_id(engine, ids or RandomIds())
    policy = Policy(
        tenant_id=tenant_id,
        correlation_window=timedelta(hours=settings.correlation_window_hours),
        dedup_window=timedelta(hours=settings.dedup_window_hours),
        max_batch=settings.max_batch,
        max_incident_alerts=settings.max_incident_alerts,
        session_ttl=timedelta(hours=settings.session_hours),
    )
    ctx = ServiceContext(
        uow=partial(SqlUnitOfWork, engine),
        read_uow=partial(SqlUnitOfWork, engine, read_only=True),
        clock=clock or SystemClock(),
        ids=ids or RandomIds(),
        policy=policy,
    )
    access = AccessService(ctx, Argon2PasswordHasher())
    access.ensure_builtin_roles()
    retention = timedelta(days=settings.telemetry_retention_days)
    url_blocks = SqlUrlBlocker(engine, ctx.clock.now)
    telemetry_ingest = TelemetryIngestService(ctx, retention)
    automation_settings = AutomationSettingsService(ctx)
    suppressor = AlertSuppressor(automation_settings.get)
    analysis = analysis or build_analysis(settings)
    mail_server = build_mail(settings) if connectors is None else None
    automation = build_automation(
        settings,
        ctx,
        analysis,
        connectors
        or build_connectors(
            settings,
            ctx,
            url_blocks,
            mail_server.email if mail_server is not None else None,
            mail_server.rules if mail_server is not None else None,
        ),
        automation_settings.get,
        housekeeping=telemetry_ingest.purge_expired,
    )
    ingest = AlertIngestService(ctx, on_created=automation.request_sweep, suppressor=suppressor)
    alert_notifications = AlertNotificationService(
        ctx, automation.remediation.notifier, settings.effective_public_url()
    )
    automation.also_on_sweep.append(alert_notifications.sweep)
    mail = None
    if mail_server is not None:
        mail = MailboxIngestService(
            ctx,
            mail_server.source,
            MimeReader(),
            mail_server.ingest,
            telemetry=telemetry_ingest,
            alerts=ingest,
            analysis=analysis.messages,
            analysis_context=automation.fresh_analysis_context,
            directory=mail_server.directory,
        )
        automation.mail_poller = MailPoller(mail, settings.mail.poll_seconds)
    return Container(
        settings=settings,
        engine=engine,
        ctx=ctx,
        ingest=ingest,
        alerts=AlertQueryService(ctx),
        triage=AlertTriageService(ctx),
        incidents=IncidentService(ctx),
        access=access,
        automation=automation,
        telemetry_ingest=telemetry_ingest,
        telemetry=TelemetryQueryService(ctx, retention),
        url_blocks=url_blocks,
        clicks=ClickTimeService(
            ctx, url_blocks, ClickPolicy(allow_override=settings.click_allow_override)
        ),
        automation_settings=automation_settings,
        notifications=NotificationService(ctx, automation.remediation.notifier),
        suppression=SuppressionRuleService(ctx, suppressor),
        alert_notifications=alert_notifications,
        agents=AgentService(ctx, settings.agent_heartbeat_seconds, automation_settings.get),
        mail=mail,
        mail_server=mail_server,
        checkpointer=start_checkpointer(settings.effective_database_url()),
    )


def _stored_tenant_id(engine: Engine, ids: IdGenerator) -> str:
    with SqlUnitOfWork(engine) as uow:
        tenant_id = uow.system.get(TENANT_KEY)
        if tenant_id is None:
            tenant_id = ids.guid()
            uow.system.put(TENANT_KEY, tenant_id)
            uow.commit()
    return tenant_id
