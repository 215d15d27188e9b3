"""Evidence for background endpoint alerts (Windows clients and Linux servers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autoir.demo import content
from autoir.demo.evidence import Step
from autoir.demo.picker import Built
from autoir.demo.primitives import minutes, public_ip, random_file
from autoir.demo.processes import CHROME, EDGE, EXPLORER, linux_chain, windows_chain

if TYPE_CHECKING:
    from datetime import datetime

    from autoir.demo.kinds import AlertKind
    from autoir.demo.picker import Picker


def win_process(p: Picker, kind: AlertKind, at: datetime) -> Built:
    """A suspicious process chain on a Windows client."""
    rng, kit = p.rng, p.kit
    device, owner = p.client()
    lead = minutes(rng.uniform(1, 30))
    steps = windows_chain(rng, kind.key, kit.directory.account_name(owner))
    evidence = [kit.device(device, at, risk=rng.choice(("low", "medium")))]
    evidence += kit.processes(device, kit.account(owner), at, steps, start=at - lead)
    leaf = steps[-1].image
    if leaf.sha256:
        evidence.append(kit.file(leaf, at, device=device, verdict="suspicious"))
    return Built(evidence, lead, detail=f"Device {device.host_name}, user {owner.upn}.")


def win_file(p: Picker, kind: AlertKind, at: datetime) -> Built:
    """Antivirus found a known-bad or unwanted file."""
    rng, kit = p.rng, p.kit
    device, owner = p.client()
    threat = rng.choice(content.UNWANTED if kind.key == "mde.pua" else content.MALWARE)
    account = kit.directory.account_name(owner)
    folder = rng.choice(
        (f"C:\\Users\\{account}\\Downloads", f"C:\\Users\\{account}\\AppData\\Local\\Temp")
    )
    name = f"{threat.family.lower()}_{rng.choice(('setup', 'installer', 'update'))}.exe"
    spec = p.family_file(threat.family, name, folder)
    prevented = kind.key == "mde.av-prevented" or (kind.key == "mde.pua" and rng.random() < 0.5)
    status = "prevented" if prevented else "detected"
    remediation = "prevented" if prevented else rng.choice(("remediated", "remediated", "none"))
    evidence = [
        kit.device(device, at, risk="low" if prevented else "medium"),
        kit.file(
            spec, at, device=device, status=status, remediation=remediation, roles=("created",)
        ),
    ]
    detail = f"File {spec.path} on {device.host_name}."
    return Built(evidence, minutes(rng.uniform(0.1, 5)), threat=threat, detail=detail)


def win_registry(p: Picker, kind: AlertKind, at: datetime) -> Built:  # noqa: ARG001
    """A Run key pointing at a binary in a user-writable folder."""
    rng, kit = p.rng, p.kit
    device, owner = p.client()
    account = kit.directory.account_name(owner)
    vendor = rng.choice(("Updater", "SyncHelper", "MediaTools", "PDFix", "DriverBooster"))
    binary = random_file(
        rng, f"{vendor.lower()}.exe", f"C:\\Users\\{account}\\AppData\\Roaming\\{vendor}"
    )
    steps = [
        Step(EXPLORER, "C:\\Windows\\Explorer.EXE"),
        Step(binary, f'"{binary.path}" --install'),
    ]
    lead = minutes(rng.uniform(1, 20))
    evidence = [kit.device(device, at, risk="low")]
    evidence += kit.processes(device, kit.account(owner), at, steps, start=at - lead)
    evidence.append(kit.file(binary, at, device=device, verdict="suspicious"))
    run_key = "Software\\Microsoft\\Windows\\CurrentVersion\\Run"
    evidence += kit.registry(device, at, run_key, vendor, f'"{binary.path}" /background')
    return Built(evidence, lead, detail=f"Run key value '{vendor}' on {device.host_name}.")


def win_network(p: Picker, kind: AlertKind, at: datetime) -> Built:
    """A browser connection blocked by SmartScreen or matching a custom indicator."""
    rng, kit = p.rng, p.kit
    device, owner = p.client()
    lead = minutes(rng.uniform(0.1, 3))
    evidence = [kit.device(device, at, risk="low")]
    browser = rng.choice((EDGE, CHROME))
    if kind.key == "mde.custom-ti":
        address = public_ip(rng)
        country = rng.choice(content.HOSTILE_COUNTRIES)
        evidence.append(kit.ip(address, at, country, roles=("commandAndControl",)))
        detail = f"{device.host_name} connected to {address}."
        command = f'"{browser.name}" --type=utility --utility-sub-type=network.mojom.NetworkService'
    else:
        url = p.phishing_url(rng.choice(content.ATTACKER_DOMAINS))
        evidence.append(kit.url(url, at, verdict="suspicious"))
        detail = f"{owner.upn} was warned about {url}."
        command = f'"{browser.name}" --single-argument {url}'
    steps = [Step(EXPLORER, "C:\\Windows\\Explorer.EXE"), Step(browser, command)]
    evidence += kit.processes(
        device, kit.account(owner), at, steps, start=at - lead, status="blocked"
    )
    return Built(evidence, lead, detail=detail)


def linux_process(p: Picker, kind: AlertKind, at: datetime) -> Built:
    """A miner, discovery commands or a cron entry on a Linux server."""
    rng, kit = p.rng, p.kit
    device = rng.choice(p.linux)
    miner = None
    if kind.key == "mde.miner":
        miner = p.family_file("CoinMiner", "kdevtmpfsi", "/tmp")  # noqa: S108 - evidence text
    steps = linux_chain(rng, kind.key, miner)
    user = "root" if miner else "deploy"
    account = kit.local_account(user, device.host_name)
    lead = minutes(rng.uniform(1, 45))
    evidence = [kit.device(device, at, risk="medium")]
    evidence += kit.processes(device, account, at, steps, start=at - lead)
    threat = None
    if miner:
        evidence.append(kit.file(miner, at, device=device, roles=("created",)))
        threat = content.MINER_LINUX
    return Built(evidence, lead, threat=threat, detail=f"Host {device.host_name}.")
