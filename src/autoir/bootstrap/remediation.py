"""Wiring of remediation: the connector adapters, the planner, the executor, the Action Center.

The email system is the organisation's mail server over IMAP and ManageSieve when one is
configured (:mod:`autoir.bootstrap.mail`), else the in-memory stand-in. Until the Linux agent
(issue 6) lands, the endpoint fleet and the identity provider are the in-memory adapters, which
pass the same contract suites the real ones will; URL blocking is real (the ``url_blocks``
table, served to proxies and resolvers and enforced at ``/l``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from autoir.connectors.memory import (
    InMemoryEmailSystem,
    InMemoryEndpointFleet,
    InMemoryIdentityProvider,
    InMemoryNotifier,
)
from autoir.connectors.smtp import SmtpConfig, SmtpNotifier, SmtpSecurity
from autoir.domain.remediation.automation import AutomationPolicy
from autoir.ports.remediation import EmailSystem, MailboxInspector, Notifier, UrlBlocker
from autoir.services.action_center import ActionCenterService, ActionCenterSettings
from autoir.services.action_dispatch import Connectors, withdraw
from autoir.services.action_execution import ActionExecutor, ExecutionSettings
from autoir.services.context import ServiceContext
from autoir.services.remediation_planning import RemediationPlanner
from autoir.settings import Settings


@dataclass(frozen=True, slots=True)
class Remediation:
    """What the edges and the workers use to remediate."""

    connectors: Connectors
    notifier: Notifier
    planner: RemediationPlanner
    center: ActionCenterService
    executor: ActionExecutor


def build_connectors(
    settings: Settings,
    ctx: ServiceContext,
    urls: UrlBlocker,
    email: EmailSystem | None = None,
    mailboxes: MailboxInspector | None = None,
) -> Connectors:
    """The adapters behind the connector ports; ``urls`` is the real URL block list.

    ``email`` and ``mailboxes`` are the mail server's adapters when one is configured; without
    them the in-memory stand-in is both.
    """
    if email is None:
        stand_in = InMemoryEmailSystem(clock=ctx.clock.now)
        email, mailboxes = stand_in, mailboxes or stand_in
    return Connectors(
        email=email,
        endpoints=InMemoryEndpointFleet(),
        urls=urls,
        identity=InMemoryIdentityProvider(),
        internal_domains=tuple(sorted(settings.organisation_domains)),
        mailboxes=mailboxes,
    )


def build_notifier(settings: Settings) -> Notifier:
    """SMTP submission when ``AUTOIR_SMTP__HOST`` is set, else the in-memory outbox."""
    smtp = settings.smtp
    if not smtp.host:
        return InMemoryNotifier()
    return SmtpNotifier(
        SmtpConfig(
            host=smtp.host,
            sender=smtp.sender or "",
            port=smtp.port,
            security=SmtpSecurity(smtp.security),
            username=smtp.username,
            password=smtp.password,
            ca_file=smtp.ca_file,
            timeout_seconds=smtp.timeout_seconds,
            helo_name=smtp.helo_name,
        )
    )


def build_remediation(
    settings: Settings,
    ctx: ServiceContext,
    connectors: Connectors,
    policy: Callable[[], AutomationPolicy],
    enqueue: Callable[[Sequence[str]], None],
    notifier: Notifier | None = None,
) -> Remediation:
    """Planner, executor and Action Center over ``connectors``."""
    return Remediation(
        connectors=connectors,
        notifier=notifier or build_notifier(settings),
        planner=RemediationPlanner(ctx.ids, policy),
        center=ActionCenterService(
            ctx,
            ActionCenterSettings(
                four_eyes=settings.four_eyes,
                pending_expiry=lambda: timedelta(days=policy().pending_expiry_days),
            ),
            on_approved=enqueue,
            withdraw=partial(withdraw, connectors),
        ),
        executor=ActionExecutor(
            ctx,
            connectors,
            ExecutionSettings(max_attempts=settings.action_max_attempts),
            enqueue,
        ),
    )
