"""Evidence for background e-mail alerts (reports, clicks, ZAP clusters, outbound, rules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from autoir.demo import content
from autoir.demo.kinds import Shape
from autoir.demo.mail import (
    AUTH_LOOKALIKE,
    AUTH_PASS,
    Sender,
    attachment_evidence,
    campaign,
    cluster_evidence,
    message_evidence,
    new_message,
)
from autoir.demo.picker import Built
from autoir.demo.places import home_ip, mail_server_ip
from autoir.demo.primitives import hex_string, minutes, public_ip
from autoir.demo.records import Click

if TYPE_CHECKING:
    from datetime import datetime

    from autoir.demo.evidence import Evidence
    from autoir.demo.kinds import AlertKind
    from autoir.demo.picker import Picker

PHISH_SENDERS = (
    ("it-support", "IT Service Desk"),
    ("no-reply", "Microsoft 365"),
    ("payroll", "Payroll Team"),
    ("docs", "DocuSign"),
    ("alerts", "Security Team"),
    ("voicemail", "Voice Messaging"),
    ("delivery", "Parcel Service"),
)
PARTNER_SENDERS = (
    ("newsletter", "Newsletter"),
    ("billing", "Billing"),
    ("events", "Events"),
    ("support", "Customer Support"),
    ("info", "Info"),
)
PHISH_METHODS = (
    "URL detonation reputation",
    "URL malicious reputation",
    "Impersonation domain",
    "Advanced filter",
    "Spoof DMARC",
)
MALWARE_METHODS = (
    "File detonation",
    "File reputation",
    "Antimalware protection",
    "Attachment type",
)


def mail_reported(p: Picker, kind: AlertKind, at: datetime) -> Built:  # noqa: ARG001
    """A user reports a message; about half are phish, the rest newsletters and notices."""
    rng, kit, user = p.rng, p.kit, p.user()
    phish = rng.random() < 0.45
    domain = rng.choice(content.ATTACKER_DOMAINS if phish else content.PARTNER_DOMAINS)
    local, display = rng.choice(PHISH_SENDERS if phish else PARTNER_SENDERS)
    url = p.phishing_url(domain) if phish else f"https://{domain}/news/{hex_string(rng, 8)}"
    subject = p.fill(rng.choice(content.PHISH_SUBJECTS if phish else content.BENIGN_SUBJECTS))
    received = at - timedelta(hours=rng.uniform(0.1, 30))
    message = new_message(
        rng,
        sender=Sender(f"{local}@{domain}", display),
        sender_ip=public_ip(rng) if phish else mail_server_ip(domain),
        recipient=user.upn,
        subject=subject,
        received=received,
        urls=[url],
        threats=["Phish"] if phish else [],
        methods=rng.sample(PHISH_METHODS, 2) if phish else [],
        auth=AUTH_LOOKALIKE if phish else AUTH_PASS,
    )
    kit.log.mail([message])
    verdict = "malicious" if phish else "noThreatsFound"
    evidence = [
        kit.mailbox(user, at, roles=("destination",)),
        message_evidence(message, at, verdict=verdict),
        kit.url(url, at, verdict=verdict if phish else "unknown"),
    ]
    return Built(
        evidence, at - received, detail=f"Reported by {user.upn}.", tp_rate=0.85 if phish else 0.0
    )


def mail_click(p: Picker, kind: AlertKind, at: datetime) -> Built:  # noqa: ARG001
    """A user clicked a Safe Links-wrapped URL that turned out to be malicious."""
    rng, kit, user = p.rng, p.kit, p.user()
    domain = rng.choice(content.ATTACKER_DOMAINS)
    url = p.phishing_url(domain)
    clicked = at - minutes(rng.uniform(2, 15))
    local, display = rng.choice(PHISH_SENDERS)
    message = new_message(
        rng,
        sender=Sender(f"{local}@{domain}", display),
        sender_ip=public_ip(rng),
        recipient=user.upn,
        subject=p.fill(rng.choice(content.PHISH_SUBJECTS)),
        received=clicked - minutes(rng.uniform(1, 300)),
        urls=[url],
        threats=["Phish"],
        methods=["URL detonation reputation"],
        auth=AUTH_LOOKALIKE,
    )
    kit.log.mail([message])
    action = "allowed" if rng.random() < 0.7 else "blockPageOverride"
    kit.log.click(
        Click(user.upn, url, clicked, action, message.network_message_id, home_ip(user.upn))
    )
    evidence = [
        kit.user(user, at, roles=("compromised",)),
        kit.mailbox(user, at, roles=("destination",)),
        kit.url(url, at, roles=("suspicious",)),
        message_evidence(message, at),
    ]
    return Built(evidence, at - clicked, detail=f"{user.upn} clicked {url}.")


def mail_cluster(p: Picker, kind: AlertKind, at: datetime) -> Built:
    """A campaign removed after delivery (ZAP), or delivered because of an allow entry."""
    rng, kit = p.rng, p.kit
    with_file = kind.shape is Shape.MAIL_CLUSTER_FILE
    domain = rng.choice(content.ATTACKER_DOMAINS)
    local, display = rng.choice(PHISH_SENDERS)
    count = min(len(p.users), int(rng.paretovariate(1.2)) + 1)
    recipients = list(dict.fromkeys(p.user().upn for _ in range(count)))
    received = at - minutes(rng.uniform(15, 600))
    threat = rng.choice(content.MALWARE)
    attachment = None
    if with_file:
        name = p.fill(rng.choice(content.MALICIOUS_ATTACHMENTS))
        attachment = p.family_file(threat.family, name, "")
    template = new_message(
        rng,
        sender=Sender(f"{local}@{domain}", display),
        sender_ip=public_ip(rng),
        recipient="",
        received=received,
        subject=p.fill(
            rng.choice(content.MALWARE_SUBJECTS if with_file else content.PHISH_SUBJECTS)
        ),
        urls=[] if with_file else [p.phishing_url(domain)],
        attachments=[attachment] if attachment else [],
        threats=["Malware"] if with_file else ["Phish"],
        methods=rng.sample(MALWARE_METHODS if with_file else PHISH_METHODS, 2),
        auth=AUTH_LOOKALIKE,
    )
    zapped = kind.key != "mail.ip-allow"
    if zapped:
        template = replace(template, delivery_location="quarantine", delivery_action="blocked")
    messages = campaign(rng, template, recipients)
    kit.log.mail(messages)
    remediation = "remediated" if zapped else "none"
    evidence: list[Evidence] = [cluster_evidence(rng, messages, at, remediation=remediation)]
    if attachment:
        evidence.append(attachment_evidence(attachment, at, remediation=remediation))
    else:
        evidence.append(kit.url(template.urls[0], at))
    for message in messages[:2]:
        evidence.append(message_evidence(message, at, remediation=remediation))
        recipient = kit.directory.user(message.recipient)
        evidence.append(kit.mailbox(recipient, at, roles=("destination",)))
    detail = f"{len(messages)} message(s) from {template.sender.address}."
    return Built(evidence, at - received, threat=threat if with_file else None, detail=detail)


def mail_outbound(p: Picker, kind: AlertKind, at: datetime) -> Built:  # noqa: ARG001
    """A user sends unusual volumes of external mail."""
    rng, kit, user = p.rng, p.kit, p.user()
    evidence = [
        kit.user(user, at),
        kit.mailbox(user, at, roles=("source",)),
        kit.ip(public_ip(rng), at, user.country, verdict="unknown", roles=("source",)),
    ]
    sent = rng.randint(150, 2500)
    detail = f"{user.upn} sent {sent} messages to {rng.randint(40, sent)} external recipients."
    return Built(evidence, minutes(rng.uniform(30, 120)), detail=detail)


def mailbox_rule(p: Picker, kind: AlertKind, at: datetime) -> Built:
    """An inbox rule that forwards mail outside or hides it."""
    rng, kit, user = p.rng, p.kit, p.user()
    target = f"{hex_string(rng, 6)}@{rng.choice(content.PERSONAL_DOMAINS)}"
    evidence = [
        kit.mailbox(user, at),
        kit.user(user, at),
        kit.ip(public_ip(rng), at, rng.choice(content.SIGN_IN_COUNTRIES)),
    ]
    if kind.key == "mdca.inbox-rule":
        detail = "The rule moves messages containing 'invoice' or 'payment' to RSS Feeds."
    else:
        detail = f"Messages to {user.upn} are forwarded to {target}."
    return Built(evidence, minutes(rng.uniform(1, 20)), detail=detail)
