"""Attack scenarios on identities and data: password spray, an insider, Kerberoasting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autoir.demo import content
from autoir.demo.places import city, home_ip
from autoir.demo.primitives import hex_string, hours, minutes, public_ip, random_file
from autoir.demo.processes import lsass_chain
from autoir.demo.records import SignInEvent

if TYPE_CHECKING:
    from autoir.demo.storyline import Cast, Story


def password_spray(story: Story, cast: Cast) -> None:
    """A spray finds one weak password; the account then downloads and shares card data."""
    rng, kit = story.rng, story.kit
    victim = cast.user(lambda u: u.department in ("Finance", "Sales", "Customer Support"))
    targets = [victim, *cast.users(rng.randint(7, 12))]
    rng.shuffle(targets)
    attacker_ip = public_ip(rng, "198.51.100")
    country = rng.choice([c for c in content.HOSTILE_COUNTRIES if c != victim.country])
    local = victim.upn.split("@", 1)[0]
    place = city(country)
    spray_agent = "BAV2ROPC"
    # A dozen common passwords tried against every account over 40 minutes; one works.
    for round_ in range(12):
        for target in targets:
            moment = story.at(minutes(4 + round_ * 3.3 + rng.uniform(0, 2.5)))
            if target is victim and round_ == 11:
                continue  # the twelfth password is the victim's: the success below
            kit.log.sign_in(
                SignInEvent(
                    target.upn,
                    moment,
                    attacker_ip,
                    place,
                    error=50126,
                    app="Office 365 Exchange Online",
                    client="Exchange ActiveSync",
                    user_agent=spray_agent,
                )
            )
    for offset in (minutes(44), hours(1.9), hours(2.8), hours(3.4), hours(4.1)):
        kit.log.sign_in(
            SignInEvent(
                victim.upn,
                story.at(offset),
                attacker_ip,
                place,
                app="Office 365 SharePoint Online" if offset > hours(2) else "Office 365",
                user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0",
            )
        )

    at = story.at(minutes(45))
    story.emit(
        "aad.spray",
        at,
        [
            *(kit.user(u, at, roles=("attacked",), verdict="unknown") for u in targets),
            kit.ip(attacker_ip, at, country, verdict="malicious"),
        ],
        lead=minutes(40),
        detail=f"{len(targets)} accounts targeted from {attacker_ip}; "
        f"sign-in succeeded for {victim.upn}.",
    )
    at = story.at(hours(2))
    story.emit(
        "aad.unfamiliar",
        at,
        [kit.user(victim, at), kit.ip(attacker_ip, at, country)],
        lead=minutes(8),
        detail=f"Sign-in by {victim.upn} from {attacker_ip} ({country}).",
    )
    at = story.at(hours(3.5))
    story.emit(
        "mdca.mass-download",
        at,
        [
            kit.user(victim, at),
            kit.ip(attacker_ip, at, country),
            kit.cloud_app(content.SHAREPOINT, at),
        ],
        lead=minutes(50),
        detail=f"{victim.upn} downloaded 1,264 files from the Finance site.",
    )
    at = story.at(hours(4.2))
    year = story.kit.now.year
    name = f"Card_Transactions_{year}-{rng.randint(1, 12):02d}.csv"
    folder = f"https://fabrikam-my.sharepoint.example/personal/{local.replace('.', '_')}/Documents"
    spec = random_file(rng, name, folder, size=(400_000, 4_000_000))
    external = f"{hex_string(rng, 5)}@{rng.choice(content.PERSONAL_DOMAINS)}"
    story.emit(
        "dlp.credit-cards",
        at,
        [
            kit.user(victim, at, roles=("policyViolator",)),
            kit.file(spec, at, verdict="suspicious", roles=("contextual",)),
            kit.cloud_app(content.ONEDRIVE, at),
            kit.ip(attacker_ip, at, country),
        ],
        lead=minutes(3),
        detail=f"{name} (1,932 card numbers) shared with {external}.",
    )


def departing_insider(story: Story, cast: Cast) -> None:
    """An employee who resigned collects customer and source data over several days."""
    rng, kit = story.rng, story.kit
    leaver, device = cast.with_workstation(lambda u: u.department in ("Sales", "Engineering"))
    sam = kit.directory.account_name(leaver)
    home = home_ip(leaver.upn)
    for offset in (1.8, 25.9, 48.8, 72.5):
        kit.log.sign_in(
            SignInEvent(leaver.upn, story.at(hours(offset)), home, city(leaver.country, leaver.upn))
        )
    year = kit.now.year
    documents = f"C:\\Users\\{sam}\\Documents"
    customers = random_file(rng, f"Customer_Master_List_{year}.xlsx", documents)
    source = random_file(
        rng, f"Source_Code_Backup_{year}.zip", documents, size=(40_000_000, 380_000_000)
    )

    at = story.at(hours(2))
    story.emit(
        "mdca.mass-download",
        at,
        [
            kit.user(leaver, at),
            kit.ip(home, at, leaver.country, verdict="unknown"),
            kit.cloud_app(content.SHAREPOINT, at),
        ],
        lead=hours(1),
        detail=f"{leaver.upn} downloaded 3,410 files from 14 sites.",
    )
    at = story.at(hours(26))
    story.emit(
        "dlp.personal-cloud",
        at,
        [
            kit.user(leaver, at, roles=("policyViolator",)),
            kit.file(customers, at, device=device, verdict="suspicious"),
            kit.device(device, at, risk="low", verdict="unknown", roles=("source",)),
            kit.cloud_app(content.DROPBOX, at),
        ],
        lead=minutes(2),
        detail=f"{customers.name} uploaded to Dropbox.",
    )
    at = story.at(hours(49))
    story.emit(
        "dlp.usb",
        at,
        [
            kit.user(leaver, at, roles=("policyViolator",)),
            kit.file(source, at, device=device, verdict="suspicious"),
            kit.device(device, at, risk="low", verdict="unknown", roles=("source",)),
        ],
        lead=minutes(4),
        detail=f"{source.name} copied to E:\\ (SanDisk Ultra USB 3.0).",
    )
    at = story.at(hours(50))
    drop = f"{sam.replace('.', '')}{rng.randint(10, 99)}@{content.PERSONAL_DOMAINS[1]}"
    story.emit(
        "mail.forwarding-rule",
        at,
        [
            kit.mailbox(leaver, at),
            kit.user(leaver, at),
            kit.ip(home, at, leaver.country, verdict="unknown"),
        ],
        lead=minutes(1),
        detail=f"Messages to {leaver.upn} are forwarded to {drop}.",
    )
    at = story.at(hours(73))
    story.emit(
        "mdca.file-deletion",
        at,
        [
            kit.user(leaver, at),
            kit.ip(home, at, leaver.country, verdict="unknown"),
            kit.cloud_app(content.ONEDRIVE, at),
        ],
        lead=minutes(30),
        detail=f"{leaver.upn} deleted 2,077 files from OneDrive.",
    )


def kerberoasting(story: Story, cast: Cast) -> None:
    """A compromised workstation enumerates the domain, roasts tickets and replays them."""
    rng, kit = story.rng, story.kit
    user, workstation = cast.with_workstation()
    service = cast.user(lambda u: u.is_admin)
    dc = next((d for d in kit.directory.devices if d.host_name.startswith("dc-")), None)
    dc_name = dc.host_name.upper() if dc else "the domain controller"
    source_ip = workstation.ip_addresses[0]

    at = story.at(minutes(6))
    story.emit(
        "mdi.recon",
        at,
        [
            kit.user(user, at, roles=("attacker",)),
            kit.device(workstation, at, roles=("source",), detailed=("SourceDevice",)),
            kit.ip(source_ip, at, None, verdict="unknown", roles=("source",)),
        ],
        lead=minutes(5),
        detail=f"LDAP enumeration of 1,843 accounts against {dc_name}.",
    )
    at = story.at(minutes(24))
    story.emit(
        "mdi.kerberoast",
        at,
        [
            kit.user(user, at, roles=("attacker",)),
            kit.device(workstation, at, roles=("source",), detailed=("SourceDevice",)),
            kit.user(service, at, roles=("attacked",), verdict="unknown"),
        ],
        lead=minutes(3),
        detail=f"Service tickets for 37 SPNs requested from {dc_name}.",
    )
    at = story.at(minutes(70))
    account = kit.account(user)
    story.emit(
        "mde.lsass",
        at,
        [
            kit.device(workstation, at, risk="high"),
            *kit.processes(workstation, account, at, lsass_chain(rng), start=story.at(minutes(68))),
        ],
        lead=minutes(2),
    )
    at = story.at(hours(2.5))
    story.emit(
        "mdi.pass-the-ticket",
        at,
        [
            kit.user(service, at, roles=("compromised",)),
            kit.device(workstation, at, roles=("source",), detailed=("SourceDevice",)),
        ],
        lead=minutes(10),
        detail=f"Ticket of {service.upn} used from {workstation.host_name}.",
    )
    at = story.at(hours(3.4))
    story.emit(
        "mdi.dcsync",
        at,
        [
            kit.user(service, at, roles=("compromised",)),
            kit.device(workstation, at, roles=("source",), detailed=("SourceDevice",)),
            kit.ip(source_ip, at, None, verdict="unknown", roles=("source",)),
        ],
        lead=minutes(2),
        detail=f"Replication of krbtgt requested from {dc_name}.",
    )
