"""Mailbox takeover scenarios: business email compromise and OAuth consent phishing."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from autoir.demo import content
from autoir.demo.mail import (
    AUTH_LOOKALIKE,
    Sender,
    campaign,
    message_evidence,
    new_message,
)
from autoir.demo.places import city, home_ip
from autoir.demo.primitives import hex_string, hours, minutes, new_guid, public_ip
from autoir.demo.records import Click, SignInEvent

if TYPE_CHECKING:
    from autoir.demo.storyline import Cast, Story


def business_email_compromise(story: Story, cast: Cast) -> None:
    """A finance mailbox taken over: hiding rules, forwarding, then payment fraud mail."""
    rng, kit = story.rng, story.kit
    victim = cast.user(lambda u: u.department == "Finance")
    attacker_ip = public_ip(rng, "198.51.100")
    country = rng.choice([c for c in content.HOSTILE_COUNTRIES if c != victim.country])
    drop = f"{victim.upn.split('@')[0]}.payments@{content.PERSONAL_DOMAINS[0]}"
    # The victim works from home, then the phished password is used from abroad.
    kit.log.sign_in(
        SignInEvent(
            victim.upn,
            story.at(minutes(-40)),
            home_ip(victim.upn),
            city(victim.country, victim.upn),
        )
    )
    for offset in (minutes(1), minutes(38), hours(25.2)):
        kit.log.sign_in(
            SignInEvent(
                victim.upn,
                story.at(offset),
                attacker_ip,
                city(country),
                app="Office 365 Exchange Online",
                user_agent="python-requests/2.32.3",
                client="Other clients",
            )
        )

    at = story.at(minutes(4))
    story.emit(
        "aad.anonymous-ip",
        at,
        [kit.user(victim, at), kit.ip(attacker_ip, at, country)],
        lead=minutes(3),
        detail=f"Sign-in by {victim.upn} from {attacker_ip}.",
    )
    at = story.at(minutes(44))
    story.emit(
        "mdca.inbox-rule",
        at,
        [
            kit.mailbox(victim, at),
            kit.user(victim, at),
            kit.ip(attacker_ip, at, country),
        ],
        lead=minutes(2),
        detail="Rule '..' moves messages with 'invoice', 'payment' or 'wire' "
        "to RSS Subscriptions and marks them read.",
    )
    at = story.at(minutes(51))
    story.emit(
        "mail.forwarding-rule",
        at,
        [
            kit.mailbox(victim, at),
            kit.user(victim, at),
            kit.ip(attacker_ip, at, country),
        ],
        lead=minutes(1),
        detail=f"Messages to {victim.upn} are forwarded to {drop}.",
    )
    vendor = rng.choice(content.PARTNER_DOMAINS)
    fraud = new_message(
        rng,
        sender=Sender(victim.upn, victim.display_name),
        sender_ip=attacker_ip,
        recipient=f"ap@{vendor}",
        received=story.at(hours(25.5)),
        subject="Updated bank details for outstanding invoices",
    )
    fraud = replace(fraud, direction="outbound", delivery_location="external")
    kit.log.mail([fraud])
    # The mass mailing the sending-pattern alert counts: the same lure to external addresses.
    blast = replace(
        fraud,
        subject="Payment instructions update - action needed",
        received=story.at(hours(25)),
        urls=(f"https://{rng.choice(content.ATTACKER_DOMAINS)}/pay/{hex_string(rng, 10)}",),
    )
    recipients = [
        f"{rng.choice(('ap', 'accounts', 'finance', 'billing', 'invoices'))}{index}@"
        f"{rng.choice(content.PARTNER_DOMAINS)}"
        for index in range(412)
    ]
    kit.log.mail(campaign(rng, blast, recipients, one_send=False))
    at = story.at(hours(26))
    story.emit(
        "mail.sending-patterns",
        at,
        [
            kit.user(victim, at),
            kit.mailbox(victim, at, roles=("source",)),
            kit.ip(attacker_ip, at, country, roles=("source",)),
        ],
        lead=minutes(40),
        detail=f"{victim.upn} sent 412 messages to 388 external recipients.",
    )
    at = story.at(hours(26.6))
    story.emit(
        "mail.restricted", at, [kit.user(victim, at), kit.mailbox(victim, at)], lead=minutes(5)
    )
    at = story.at(hours(27))
    story.emit(
        "m365d.bec",
        at,
        [
            kit.user(victim, at),
            kit.mailbox(victim, at, roles=("source",)),
            message_evidence(fraud, at, verdict="suspicious"),
            kit.ip(attacker_ip, at, country),
        ],
        lead=hours(1.5),
        detail=f"Payment-change request sent to ap@{vendor}.",
    )


def oauth_consent_phishing(story: Story, cast: Cast) -> None:
    """A consent-phishing link grants a rogue app mail access, which it then uses."""
    rng, kit = story.rng, story.kit
    victim = cast.user()
    app = rng.choice(content.OAUTH_APPS[:3])
    app_id = new_guid(rng)
    domain = "docu-sign-review.example"
    url = f"https://{domain}/review?client_id={app_id}&doc={hex_string(rng, 8)}"
    message = new_message(
        rng,
        sender=Sender(f"docs@{domain}", "DocuSign"),
        sender_ip=public_ip(rng, "192.0.2"),
        recipient=victim.upn,
        received=story.at(minutes(0)),
        subject="DocuSign: please review and sign the NDA",
        urls=[url],
        threats=["Phish"],
        methods=["URL detonation reputation"],
        auth=AUTH_LOOKALIKE,
    )
    kit.log.mail([message])
    attacker_ip = public_ip(rng, "203.0.113")
    at = story.at(minutes(11))
    kit.log.click(
        Click(
            victim.upn,
            url,
            at - minutes(rng.uniform(1, 4)),
            "allowed",
            message.network_message_id,
            home_ip(victim.upn),
        )
    )
    story.emit(
        "mail.click",
        at,
        [
            kit.user(victim, at),
            kit.mailbox(victim, at, roles=("destination",)),
            kit.url(url, at, roles=("suspicious",)),
            message_evidence(message, at),
        ],
        lead=minutes(5),
        detail=f"{victim.upn} clicked {url}.",
    )
    at = story.at(minutes(16))
    story.emit(
        "appg.consent-phish",
        at,
        [
            kit.oauth_app(app.display_name, app.publisher, app_id, at, verdict="malicious"),
            kit.user(victim, at),
            kit.url(url, at),
            kit.cloud_app(content.OFFICE, at),
        ],
        lead=minutes(4),
        detail=f"{victim.upn} granted Mail.Read and offline_access to '{app.display_name}'.",
    )
    at = story.at(hours(3))
    story.emit(
        "mdca.oauth-credentials",
        at,
        [
            kit.oauth_app(app.display_name, app.publisher, app_id, at, verdict="malicious"),
            kit.user(victim, at),
            kit.ip(attacker_ip, at, rng.choice(content.HOSTILE_COUNTRIES)),
            kit.cloud_app(content.AZURE_PORTAL, at),
        ],
        lead=minutes(2),
    )
    at = story.at(hours(8))
    story.emit(
        "appg.mail-read",
        at,
        [
            kit.oauth_app(app.display_name, app.publisher, app_id, at, verdict="malicious"),
            kit.user(victim, at),
            kit.mailbox(victim, at),
            kit.cloud_app(content.EXCHANGE, at),
        ],
        lead=hours(4),
        detail=f"'{app.display_name}' read 2,318 messages of {victim.upn}.",
    )
