"""Evidence for background identity, sign-in, cloud-app, DLP and OAuth alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autoir.demo import content
from autoir.demo.picker import Built
from autoir.demo.places import city, home_ip
from autoir.demo.primitives import hex_string, minutes, public_ip, random_file, stable_guid
from autoir.demo.records import SignInEvent

if TYPE_CHECKING:
    from datetime import datetime

    from autoir.demo.evidence import Evidence
    from autoir.demo.kinds import AlertKind
    from autoir.demo.picker import Picker

_POLICIES = {
    "dlp.credit-cards": "PCI DSS - credit card data",
    "dlp.usb": "Confidential data on removable media",
    "dlp.personal-cloud": "Block uploads to unsanctioned cloud storage",
    "dlp.ssn-email": "U.S. PII - Social Security numbers",
}


def identity(p: Picker, kind: AlertKind, at: datetime) -> Built:
    """An on-premises identity detection: an account used from a workstation against a server.

    The domain controller or target server is named in the description only: it appears in
    so many alerts that linking through it would join unrelated incidents.
    """
    rng, kit = p.rng, p.kit
    device, user = p.client()
    target = rng.choice(p.servers)
    if kind.key != "custom.rare-rdp":
        target = next((s for s in p.servers if s.host_name.startswith("dc-")), target)
    evidence: list[Evidence] = [
        kit.user(user, at, roles=("attacker",) if kind.key != "custom.rare-rdp" else ()),
        kit.device(device, at, risk="medium", roles=("source",), detailed=("SourceDevice",)),
        kit.ip(device.ip_addresses[0], at, None, verdict="unknown", roles=("source",)),
    ]
    detail = f"From {device.host_name} ({device.ip_addresses[0]}) to {target.host_name.upper()}."
    return Built(evidence, minutes(rng.uniform(2, 60)), detail=detail)


def sign_in(p: Picker, kind: AlertKind, at: datetime) -> Built:
    """A risky sign-in (or a spray that hit several accounts without success).

    The sign-ins the alert is about go into the telemetry log.
    """
    rng, kit = p.rng, p.kit
    hostile = kind.key in ("aad.spray", "aad.anonymous-ip") or rng.random() < 0.3
    country = rng.choice(content.HOSTILE_COUNTRIES if hostile else content.SIGN_IN_COUNTRIES)
    address = public_ip(rng)
    if kind.key == "aad.spray":
        targets = list(dict.fromkeys(p.user() for _ in range(rng.randint(4, 12))))
        evidence = [kit.user(u, at, roles=("attacked",), verdict="unknown") for u in targets]
        evidence.append(kit.ip(address, at, country, verdict="malicious"))
        detail = f"{len(targets)} accounts targeted from {address}; no successful sign-in."
        lead = minutes(rng.uniform(20, 180))
        for target in targets:
            for _ in range(rng.randint(1, 3)):
                moment = at - lead * rng.uniform(0.05, 1.0)
                kit.log.sign_in(
                    SignInEvent(target.upn, moment, address, city(country), error=50126)
                )
        return Built(evidence, lead, detail=detail, tp_rate=0.1)
    user = p.user()
    lead = minutes(rng.uniform(1, 90))
    evidence = [kit.user(user, at), kit.ip(address, at, country)]
    if kind.key == "aad.atypical":
        home = home_ip(user.upn)
        kit.log.sign_in(SignInEvent(user.upn, at - lead * 2, home, city(user.country, user.upn)))
        evidence.append(kit.ip(home, at, user.country, verdict="unknown", roles=("contextual",)))
        detail = f"Sign-ins from {home} ({user.country}) and {address} ({country})."
    else:
        detail = f"Sign-in by {user.upn} from {address} ({country})."
    kit.log.sign_in(SignInEvent(user.upn, at - lead, address, city(country)))
    return Built(evidence, lead, detail=detail)


def cloud_activity(p: Picker, kind: AlertKind, at: datetime) -> Built:
    """Unusual activity in a SaaS application."""
    rng, kit, user = p.rng, p.kit, p.user()
    app = rng.choice(content.CORPORATE_APPS)
    address = public_ip(rng)
    country = rng.choice(content.SIGN_IN_COUNTRIES)
    evidence = [kit.user(user, at), kit.ip(address, at, country), kit.cloud_app(app, at)]
    if kind.key == "mdca.impossible-travel":
        other = public_ip(rng)
        evidence.append(kit.ip(other, at, user.country, verdict="unknown", roles=("contextual",)))
        detail = (
            f"Activity from {other} ({user.country}) and {address} ({country}) "
            f"in {app.display_name}."
        )
    elif kind.key in ("mdca.mass-download", "mdca.file-deletion"):
        verb = "downloaded" if kind.key == "mdca.mass-download" else "deleted"
        detail = f"{user.upn} {verb} {rng.randint(120, 2400)} files in {app.display_name}."
    else:
        detail = f"{user.upn} was active in {app.display_name} from {country}."
    return Built(evidence, minutes(rng.uniform(10, 240)), detail=detail)


def dlp(p: Picker, kind: AlertKind, at: datetime) -> Built:
    """A data loss prevention policy match."""
    rng, kit = p.rng, p.kit
    device, user = p.client()
    local = user.upn.split("@", 1)[0]
    name = p.fill(rng.choice(content.SENSITIVE_DOCUMENTS))
    endpoint = kind.key in ("dlp.usb", "dlp.personal-cloud")
    if endpoint:
        folder = f"C:\\Users\\{kit.directory.account_name(user)}\\Documents"
    else:
        folder = (
            f"https://fabrikam-my.sharepoint.example/personal/{local.replace('.', '_')}/Documents"
        )
    spec = random_file(rng, name, folder, size=(30_000, 9_000_000))
    evidence: list[Evidence] = [
        kit.user(user, at, roles=("policyViolator",)),
        kit.file(
            spec,
            at,
            device=device if endpoint else None,
            verdict="suspicious",
            roles=("contextual",),
        ),
    ]
    if kind.key == "dlp.personal-cloud":
        evidence.append(kit.cloud_app(rng.choice(content.PERSONAL_STORAGE), at))
    elif kind.key == "dlp.usb":
        evidence.append(kit.device(device, at, risk="low", verdict="unknown", roles=("source",)))
    else:
        app = content.EXCHANGE if kind.key == "dlp.ssn-email" else content.SHAREPOINT
        evidence.append(kit.cloud_app(app, at))
    external = (
        f"{hex_string(rng, 5)}@{rng.choice(content.PARTNER_DOMAINS + content.PERSONAL_DOMAINS)}"
    )
    detail = f"Policy '{_POLICIES[kind.key]}' matched {name}; recipient or target {external}."
    return Built(evidence, minutes(rng.uniform(0.5, 10)), detail=detail)


def oauth(p: Picker, kind: AlertKind, at: datetime) -> Built:  # noqa: ARG001
    """An OAuth application change or an app-policy match."""
    rng, kit = p.rng, p.kit
    app = rng.choice(content.OAUTH_APPS)
    admins = [u for u in p.users if u.is_admin] or list(p.users)
    user = rng.choice(admins)
    app_id = stable_guid(f"oauth/{app.display_name}")
    evidence = [
        kit.oauth_app(app.display_name, app.publisher, app_id, at),
        kit.user(user, at, roles=("contextual",), verdict="unknown"),
        kit.cloud_app(content.OFFICE, at),
    ]
    detail = f"App '{app.display_name}' ({app.publisher}); change by {user.upn}."
    return Built(evidence, minutes(rng.uniform(1, 60)), detail=detail)
