"""Phishing scenarios: a credential-theft campaign and a malicious-attachment campaign."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from autoir.demo import content
from autoir.demo.evidence import Step
from autoir.demo.mail import (
    AUTH_LOOKALIKE,
    AUTH_SPOOFED,
    Sender,
    attachment_evidence,
    campaign,
    cluster_evidence,
    message_evidence,
    new_message,
)
from autoir.demo.places import city, home_ip
from autoir.demo.primitives import hex_string, hours, minutes, public_ip, random_file
from autoir.demo.processes import (
    CMD,
    EXPLORER,
    RUNDLL32,
    SCHTASKS,
    WSCRIPT,
    office_macro_chain,
    user_temp,
)
from autoir.demo.records import Click, SignInEvent

if TYPE_CHECKING:
    from autoir.demo.storyline import Cast, Story


def phishing_to_compromise(story: Story, cast: Cast) -> None:
    """Phishing campaign -> click -> macro malware -> credential theft -> sign-in from outside."""
    rng, kit = story.rng, story.kit
    victim, device = cast.with_workstation()
    others = cast.users(rng.randint(4, 8))
    account = kit.account(victim)
    domain = "secure-login-micros0ft.example"
    url = f"https://{domain}/owa/auth/{hex_string(rng, 16)}"
    template = new_message(
        rng,
        sender=Sender(f"it-support@{domain}", "IT Service Desk"),
        sender_ip=public_ip(rng, "198.51.100"),
        recipient="",
        received=story.at(minutes(0)),
        subject="Action required: your mailbox password expires today",
        urls=[url],
        threats=["Phish"],
        methods=["URL detonation reputation", "Impersonation domain"],
        mail_from=f"bounce-{hex_string(rng, 6)}@{domain}",
        auth=AUTH_LOOKALIKE,
    )
    # One message Bcc'd to every recipient: the copies share the Internet message id.
    messages = campaign(rng, template, [victim.upn, *(u.upn for u in others)], one_send=True)
    victim_message, reported_message = messages[0], messages[1]
    kit.log.mail(messages)
    # A second wave from another server, after ZAP had cleaned the first: still in inboxes.
    late = cast.users(rng.randint(2, 4))
    second = new_message(
        rng,
        sender=template.sender,
        sender_ip=public_ip(rng, "198.51.100"),
        recipient="",
        received=story.at(minutes(34)),
        subject="Reminder: your mailbox password expires today",
        urls=[url],
        mail_from=f"bounce-{hex_string(rng, 6)}@{domain}",
        auth=AUTH_LOOKALIKE,
        body=template.body,
    )
    kit.log.mail(campaign(rng, second, [u.upn for u in late], one_send=True))

    at = story.at(minutes(13))
    clicked = at - minutes(rng.uniform(1, 3))
    kit.log.click(
        Click(
            victim.upn,
            url,
            clicked,
            "allowed",
            victim_message.network_message_id,
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
            message_evidence(victim_message, at),
        ],
        lead=minutes(4),
        detail=f"{victim.upn} clicked {url}.",
    )
    # Another recipient clicked too, after the URL was known bad: Safe Links blocked it.
    kit.log.click(
        Click(
            others[-1].upn, url, story.at(minutes(24)), "blockPage", messages[-1].network_message_id
        )
    )

    sam = kit.directory.account_name(victim)
    dropped = random_file(rng, "MailboxQuotaSync.exe", user_temp(sam))
    payload_url = f"https://{domain}/cdn/{hex_string(rng, 10)}.bin"
    document = f"C:\\Users\\{sam}\\Downloads\\Mailbox_Quota_Notice.docm"
    at = story.at(minutes(18))
    story.emit(
        "mde.powershell",
        at,
        [
            kit.device(device, at, risk="high"),
            *kit.processes(
                device,
                account,
                at,
                office_macro_chain(document, payload_url, dropped),
                start=story.at(minutes(15)),
            ),
            kit.file(dropped, at, device=device, roles=("created",)),
            kit.url(payload_url, at, roles=("source",)),
        ],
        lead=minutes(3),
        detail=f"Macro document {document} on {device.host_name}.",
    )

    at = story.at(minutes(21))
    story.emit(
        "mail.reported",
        at,
        [
            kit.mailbox(others[0], at, roles=("destination",)),
            message_evidence(reported_message, at),
            kit.url(url, at),
        ],
        lead=minutes(20),
        detail=f"Reported by {others[0].upn}.",
    )

    zapped = [
        replace(m, delivery_location="quarantine", delivery_action="blocked") for m in messages
    ]
    kit.log.mail(zapped)
    at = story.at(minutes(26))
    story.emit(
        "mail.zap-phish",
        at,
        [
            cluster_evidence(rng, zapped, at),
            kit.url(url, at),
            message_evidence(zapped[0], at, remediation="remediated"),
            kit.mailbox(victim, at, roles=("destination",)),
            message_evidence(zapped[1], at, remediation="remediated"),
            kit.mailbox(others[0], at, roles=("destination",)),
        ],
        lead=minutes(26),
        detail=f"{len(messages)} messages from it-support@{domain}.",
    )

    at = story.at(minutes(52))
    steps = [
        Step(dropped, f'"{dropped.path}" /silent'),
        Step(CMD, "cmd.exe /c"),
        Step(
            SCHTASKS,
            f'schtasks.exe /create /sc onlogon /tn "MailboxQuotaSync" '
            f'/tr "{dropped.path}" /rl highest /f',
        ),
    ]
    story.emit(
        "mde.scheduled-task",
        at,
        [
            kit.device(device, at, risk="high"),
            *kit.processes(device, account, at, steps, start=story.at(minutes(50))),
            kit.file(dropped, at, device=device),
        ],
        lead=minutes(2),
    )

    at = story.at(hours(2.2))
    pid = rng.randint(600, 1_100) // 4 * 4
    steps = [
        Step(dropped, f'"{dropped.path}" /silent'),
        Step(
            RUNDLL32,
            f"rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump {pid} "
            f"{user_temp(sam)}\\wer{hex_string(rng, 4)}.tmp full",
        ),
    ]
    story.emit(
        "mde.lsass",
        at,
        [
            kit.device(device, at, risk="high"),
            *kit.processes(device, account, at, steps, start=story.at(hours(2.15))),
            kit.file(dropped, at, device=device),
        ],
        lead=minutes(3),
    )

    attacker_ip = public_ip(rng, "203.0.113")
    country = rng.choice([c for c in content.HOSTILE_COUNTRIES if c != victim.country])
    home = home_ip(victim.upn)
    kit.log.sign_in(
        SignInEvent(victim.upn, story.at(hours(19.2)), home, city(victim.country, victim.upn))
    )
    for offset in (19.9, 20.4, 20.9):
        kit.log.sign_in(
            SignInEvent(
                victim.upn,
                story.at(hours(offset)),
                attacker_ip,
                city(country),
                app="Office 365 Exchange Online",
                user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            )
        )
    at = story.at(hours(20))
    story.emit(
        "aad.anonymous-ip",
        at,
        [
            kit.user(victim, at),
            kit.ip(attacker_ip, at, country),
        ],
        lead=minutes(6),
        detail=f"Sign-in by {victim.upn} from {attacker_ip} (Tor exit node).",
    )

    at = story.at(hours(21))
    story.emit(
        "mdca.impossible-travel",
        at,
        [
            kit.user(victim, at),
            kit.ip(attacker_ip, at, country),
            kit.ip(home, at, victim.country, verdict="unknown", roles=("contextual",)),
            kit.cloud_app(content.EXCHANGE, at),
        ],
        lead=minutes(50),
        detail=f"Exchange Online activity from {home} and {attacker_ip}.",
    )


def malicious_attachment(story: Story, cast: Cast) -> None:
    """A Qakbot attachment campaign: one recipient opens it before ZAP removes the rest."""
    rng, kit = story.rng, story.kit
    victim, device = cast.with_workstation()
    others = cast.users(rng.randint(3, 9))
    account = kit.account(victim)
    sam = kit.directory.account_name(victim)
    number = rng.randint(10_000, 99_999)
    archive = random_file(rng, f"Remittance_{number}.zip", "", size=(90_000, 400_000))
    partner = rng.choice(content.PARTNER_DOMAINS)
    template = new_message(
        rng,
        sender=Sender(f"accounts@{partner}", "Accounts Receivable"),
        sender_ip=public_ip(rng, "192.0.2"),
        recipient="",
        received=story.at(minutes(0)),
        subject=f"Remittance advice {number}",
        attachments=[archive],
        threats=["Malware"],
        methods=["File detonation", "Spoof DMARC"],
        mail_from=f"{hex_string(rng, 8)}@{rng.choice(content.ATTACKER_DOMAINS)}",
        auth=AUTH_SPOOFED,
    )
    messages = campaign(rng, template, [victim.upn, *(u.upn for u in others)])
    kit.log.mail(messages)
    on_disk = replace(archive, folder=f"C:\\Users\\{sam}\\Downloads")
    script = random_file(
        rng,
        f"Remittance_{number}.js",
        f"{user_temp(sam)}\\{hex_string(rng, 8)}",
        size=(4_000, 60_000),
    )
    dll = random_file(
        rng,
        f"{hex_string(rng, 6)}.dll",
        f"C:\\Users\\{sam}\\AppData\\Roaming\\Microsoft\\{hex_string(rng, 5)}",
    )

    at = story.at(minutes(8))
    story.emit(
        "mde.av-detected",
        at,
        [
            kit.device(device, at, risk="high"),
            kit.file(on_disk, at, device=device, roles=("contextual",)),
            kit.file(script, at, device=device, remediation="remediated", roles=("created",)),
        ],
        lead=minutes(1),
        threat=content.QAKBOT,
    )

    at = story.at(minutes(9))
    steps = [
        Step(EXPLORER, "C:\\Windows\\Explorer.EXE"),
        Step(WSCRIPT, f'"C:\\Windows\\System32\\WScript.exe" "{script.path}"'),
    ]
    story.emit(
        "mde.hidden-file",
        at,
        [
            kit.device(device, at, risk="high"),
            *kit.processes(device, account, at, steps, start=story.at(minutes(7))),
            kit.file(script, at, device=device),
        ],
        lead=minutes(2),
    )

    at = story.at(minutes(24))
    steps = [
        Step(WSCRIPT, f'"C:\\Windows\\System32\\WScript.exe" "{script.path}"'),
        Step(RUNDLL32, f"rundll32.exe {dll.path},DllRegisterServer"),
    ]
    story.emit(
        "mde.injection",
        at,
        [
            kit.device(device, at, risk="high"),
            *kit.processes(device, account, at, steps, start=story.at(minutes(21))),
            kit.file(dll, at, device=device, roles=("loaded",)),
        ],
        lead=minutes(3),
        detail="rundll32.exe injected into explorer.exe and wermgr.exe.",
    )

    zapped = [
        replace(m, delivery_location="quarantine", delivery_action="blocked") for m in messages
    ]
    kit.log.mail(zapped)
    at = story.at(minutes(38))
    story.emit(
        "mail.zap-file",
        at,
        [
            cluster_evidence(rng, zapped, at),
            attachment_evidence(archive, at, remediation="remediated"),
            message_evidence(zapped[0], at, remediation="remediated"),
            kit.mailbox(victim, at, roles=("destination",)),
        ],
        lead=minutes(38),
        detail=f"{len(messages)} messages from accounts@{partner}.",
    )

    c2 = public_ip(rng, "203.0.113")
    at = story.at(minutes(47))
    story.emit(
        "mde.custom-ti",
        at,
        [
            kit.device(device, at, risk="high"),
            kit.ip(c2, at, rng.choice(content.HOSTILE_COUNTRIES), roles=("commandAndControl",)),
            *kit.processes(
                device,
                account,
                at,
                [Step(RUNDLL32, f"rundll32.exe {dll.path},DllRegisterServer")],
                start=story.at(minutes(24)),
                status="blocked",
            ),
        ],
        lead=minutes(1),
        detail=f"Connection to {c2}:443 (Qakbot C2 indicator).",
    )
