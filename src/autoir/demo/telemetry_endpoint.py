"""Endpoint events: the processes and files alerts name, and everyday activity on every device.

Every ``processEvidence`` of an alert becomes a process event with the same device, process id,
parent process id, command line and creation time, so that an investigation rebuilds the tree
the alert shows; the unnamed parent at the top of each chain is reported too (``explorer.exe``
for a user's programs, ``services.exe`` for services, ``systemd`` on Linux). Every file evidence
on a device becomes a file event, so that a hash's prevalence counts the devices that had it.

Everyday activity gives prevalence and process trees a baseline: users log on and start their
applications on workdays, servers run their scheduled jobs. Common third-party binaries carry the
same hash on every device; platform binaries carry none, like their evidence (see
:func:`autoir.demo.primitives.system_file`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from autoir.demo.places import utc_offset
from autoir.demo.primitives import iso

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from random import Random

    from autoir.demo.directory import DemoDevice, Directory

Record = dict[str, object]


@dataclass(frozen=True, slots=True)
class Image:
    """A program: name, folder, and a hash when it is not a platform binary."""

    name: str
    folder: str
    sha256: str | None = None


def _app(name: str, folder: str, version: str) -> Image:
    return Image(name, folder, hashlib.sha256(f"{folder}\\{name}|{version}".encode()).hexdigest())


_SYS32 = "C:\\Windows\\System32"
WINLOGON = Image("winlogon.exe", _SYS32)
USERINIT = Image("userinit.exe", _SYS32)
EXPLORER = Image("explorer.exe", "C:\\Windows")
WININIT = Image("wininit.exe", _SYS32)
SERVICES = Image("services.exe", _SYS32)
SVCHOST = Image("svchost.exe", _SYS32)
TASKHOST = Image("taskhostw.exe", _SYS32)
TEAMS = _app("ms-teams.exe", "C:\\Program Files\\WindowsApps\\MSTeams_24295.605.3225.8804", "24295")
ONEDRIVE = _app("OneDrive.exe", "C:\\Program Files\\Microsoft OneDrive", "24.211")
MPCMDRUN = _app("MpCmdRun.exe", "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform", "4.18")
ZOOM = _app("Zoom.exe", "C:\\Program Files\\Zoom\\bin", "6.2.11")
_OFFICE = "C:\\Program Files\\Microsoft Office\\root\\Office16"
OUTLOOK = Image("OUTLOOK.EXE", _OFFICE)
WINWORD = Image("WINWORD.EXE", _OFFICE)
EXCEL = Image("EXCEL.EXE", _OFFICE)
EDGE = Image("msedge.exe", "C:\\Program Files (x86)\\Microsoft\\Edge\\Application")
SYSTEMD = Image("systemd", "/usr/lib/systemd")
CRON = Image("cron", "/usr/sbin")
SH = Image("dash", "/usr/bin")
RUN_PARTS = Image("run-parts", "/usr/bin")
LOGROTATE = Image("logrotate", "/usr/sbin")
SSHD = Image("sshd", "/usr/sbin")
BASH = Image("bash", "/usr/bin")
SUDO = Image("sudo", "/usr/bin")
NODE_EXPORTER = _app("node_exporter", "/usr/local/bin", "1.8.2")

# The parent reported above the first process of an alert's chain, by that process's image.
_ROOT_PARENTS = {
    "explorer.exe": (USERINIT, "C:\\Windows\\system32\\userinit.exe"),
    "services.exe": (WININIT, "wininit.exe"),
    "svchost.exe": (SERVICES, "C:\\Windows\\system32\\services.exe"),
    "ccmexec.exe": (SERVICES, "C:\\Windows\\system32\\services.exe"),
    "psexesvc.exe": (SERVICES, "C:\\Windows\\system32\\services.exe"),
    "nginx": (SYSTEMD, "/sbin/init"),
    "php-fpm8.1": (SYSTEMD, "/sbin/init"),
    "sshd": (SYSTEMD, "/sbin/init"),
    "cron": (SYSTEMD, "/sbin/init"),
    "bash": (SSHD, "sshd: deploy@pts/0"),
    "dash": (BASH, "-bash"),
    "systemd": (None, ""),
}
_WINDOWS_DEFAULT = (EXPLORER, "C:\\Windows\\Explorer.EXE")
_LINUX_DEFAULT = (SYSTEMD, "/sbin/init")


def _event(
    device: DemoDevice | str,
    name: str,
    at: datetime,
    image: Image | None,
    command: str,
    pid: int,
    parent: tuple[int | None, str | None, str],
    account: str | None,
    *,
    file_name: str | None = None,
    folder: str | None = None,
    sha256: str | None = None,
) -> Record:
    parent_pid, parent_name, parent_command = parent
    process: dict[str, Any] = {
        "fileName": file_name if image is None else image.name,
        "folderPath": folder if image is None else image.folder,
        "sha256": sha256 if image is None else image.sha256,
        "commandLine": command,
        "processId": pid,
        "parentProcessId": parent_pid,
        "parentFileName": parent_name,
        "parentCommandLine": parent_command,
        "accountName": account,
    }
    return {
        "deviceId": device if isinstance(device, str) else device.device_id,
        "deviceName": name,
        "timestamp": iso(at),
        "kind": "process",
        "actionType": "ProcessCreated",
        "process": {k: v for k, v in process.items() if v is not None},
    }


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _evidence_of(alert: Record) -> list[dict[str, Any]]:
    evidence = alert.get("evidence")
    return [e for e in evidence if isinstance(e, dict)] if isinstance(evidence, list) else []


def alert_endpoint_events(alerts: Sequence[Record], directory: Directory) -> list[Record]:
    """Process and file events for the process and file evidence of ``alerts``."""
    names = {d.device_id: d.host_name for d in directory.devices}
    linux = {d.device_id for d in directory.devices if d.os_platform == "Linux"}
    seen: set[tuple[object, ...]] = set()
    events: list[Record] = []

    def add(key: tuple[object, ...], event: Record) -> None:
        if key not in seen:
            seen.add(key)
            events.append(event)

    for alert in alerts:
        evidence = _evidence_of(alert)
        processes = [e for e in evidence if e.get("processId") is not None and e.get("mdeDeviceId")]
        by_pid = {(e["mdeDeviceId"], e["processId"]): e for e in processes}
        for ev in processes:
            device_id = str(ev["mdeDeviceId"])
            name = names.get(device_id, device_id)
            image, parent_image = _dict(ev.get("imageFile")), ev.get("parentProcessImageFile")
            account = _dict(ev.get("userAccount")).get("accountName")
            parent_pid = ev.get("parentProcessId")
            created = datetime.fromisoformat(str(ev["processCreationDateTime"]))
            if isinstance(parent_image, dict):
                parent_name = parent_image.get("fileName")
                parent_command = str(
                    by_pid.get((device_id, parent_pid), {}).get("processCommandLine") or ""
                )
            else:  # the top of the chain: report its parent too
                default = _LINUX_DEFAULT if device_id in linux else _WINDOWS_DEFAULT
                top, top_command = _ROOT_PARENTS.get(str(image.get("fileName")).lower(), default)
                parent_name = top.name if top else None
                parent_command = top_command
                if top is not None and isinstance(parent_pid, int):
                    at = datetime.fromisoformat(str(ev["parentProcessCreationDateTime"]))
                    grand = _ROOT_PARENTS.get(top.name.lower(), (None, ""))[0]
                    add(
                        (device_id, parent_pid, iso(at)),
                        _event(
                            device_id,
                            name,
                            at,
                            top,
                            top_command,
                            parent_pid,
                            (None, grand.name if grand else None, ""),
                            account if top is EXPLORER else None,
                        ),
                    )
            add(
                (device_id, ev["processId"], iso(created)),
                _event(
                    device_id,
                    name,
                    created,
                    None,
                    str(ev.get("processCommandLine") or ""),
                    int(ev["processId"]),
                    (
                        parent_pid if isinstance(parent_pid, int) else None,
                        parent_name,
                        parent_command,
                    ),
                    str(account) if account else None,
                    file_name=image.get("fileName"),
                    folder=image.get("filePath"),
                    sha256=image.get("sha256"),
                ),
            )
        first = datetime.fromisoformat(str(alert["firstActivityDateTime"]))
        for ev in evidence:
            details = _dict(ev.get("fileDetails"))
            on_device = ev.get("mdeDeviceId")
            if not (on_device and details.get("sha256")):
                continue
            device_id = str(on_device)
            add(
                ("file", device_id, details["sha256"]),
                {
                    "deviceId": device_id,
                    "deviceName": names.get(device_id, device_id),
                    "timestamp": iso(first),
                    "kind": "file",
                    "actionType": "FileCreated",
                    "file": {
                        "action": "created",
                        "fileName": details.get("fileName"),
                        "folderPath": details.get("filePath") or None,
                        "sha256": details["sha256"],
                    },
                },
            )
    return events


class Fleet:
    """Everyday process activity of every Windows and Linux device."""

    def __init__(self, rng: Random, directory: Directory, start: datetime, now: datetime) -> None:
        """Bind to the random stream, the directory and the window."""
        self.rng = rng
        self.directory = directory
        self.start = start
        self.now = now
        self.events: list[Record] = []

    def _pid(self) -> int:
        return 1_000 + int(self.rng.random() * 9_750) * 4

    def _add(
        self,
        device: DemoDevice,
        at: datetime,
        image: Image,
        command: str,
        pid: int,
        parent: tuple[int | None, str | None, str],
        account: str | None,
    ) -> None:
        if self.start <= at <= self.now:
            self.events.append(
                _event(device, device.host_name, at, image, command, pid, parent, account)
            )

    def generate(self) -> list[Record]:
        """Every device's activity over the window."""
        day = datetime.combine(self.start.date(), time(), tzinfo=UTC)
        while day <= self.now:
            for device in self.directory.devices:
                if device.os_platform in ("Windows10", "Windows11"):
                    self._workday(device, day)
                elif device.os_platform.startswith("WindowsServer"):
                    self._windows_server(device, day)
                elif device.os_platform == "Linux":
                    self._linux_server(device, day)
            day += timedelta(days=1)
        return self.events

    def _workday(self, device: DemoDevice, day: datetime) -> None:
        """The owner logs on and starts the usual applications."""
        rng = self.rng
        if rng.random() > (0.92 if day.weekday() < 5 else 0.08) or device.owner_upn is None:
            return
        owner = self.directory.user(device.owner_upn)
        account = self.directory.account_name(owner)
        local = timedelta(hours=rng.uniform(7.3, 9.6) - utc_offset(owner.country))
        at = day + local
        winlogon = self._pid()
        userinit, explorer = self._pid(), self._pid()
        self._add(
            device,
            at,
            USERINIT,
            "C:\\Windows\\system32\\userinit.exe",
            userinit,
            (winlogon, WINLOGON.name, "winlogon.exe"),
            account,
        )
        at += timedelta(seconds=rng.uniform(1, 4))
        shell = (explorer, EXPLORER.name, "C:\\Windows\\Explorer.EXE")
        self._add(
            device,
            at,
            EXPLORER,
            shell[2],
            explorer,
            (userinit, USERINIT.name, "C:\\Windows\\system32\\userinit.exe"),
            account,
        )
        apps: list[tuple[Image, str]] = [
            (TEAMS, f'"{TEAMS.folder}\\ms-teams.exe" --system-initiated'),
            (ONEDRIVE, f'"{ONEDRIVE.folder}\\OneDrive.exe" /background'),
            (OUTLOOK, f'"{OUTLOOK.folder}\\OUTLOOK.EXE"'),
            (EDGE, f'"{EDGE.folder}\\msedge.exe" --profile-directory=Default'),
        ]
        documents = f"C:\\Users\\{account}\\Documents"
        if rng.random() < 0.5:
            apps.append((WINWORD, f'"{WINWORD.folder}\\WINWORD.EXE" /n "{documents}\\Notes.docx"'))
        if rng.random() < 0.3:
            apps.append((EXCEL, f'"{EXCEL.folder}\\EXCEL.EXE" "{documents}\\Budget.xlsx"'))
        if rng.random() < 0.2:
            apps.append((ZOOM, f'"{ZOOM.folder}\\Zoom.exe" --action=join'))
        for image, command in apps:
            at += timedelta(seconds=rng.uniform(5, 900))
            self._add(device, at, image, command, self._pid(), shell, account)
        if rng.random() < 0.5:
            at = day + timedelta(hours=rng.uniform(10, 16))
            self._add(
                device,
                at,
                MPCMDRUN,
                f'"{MPCMDRUN.folder}\\MpCmdRun.exe" -SignatureUpdate',
                self._pid(),
                (
                    rng.randint(600, 1_400),
                    SVCHOST.name,
                    "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
                ),
                "SYSTEM",
            )

    def _windows_server(self, device: DemoDevice, day: datetime) -> None:
        rng = self.rng
        at = day + timedelta(hours=rng.uniform(1, 4))
        schedule = self._pid()
        command = "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule"
        self._add(device, at, SVCHOST, command, schedule, (700, SERVICES.name, ""), "SYSTEM")
        parent = (schedule, SVCHOST.name, command)
        at += timedelta(minutes=rng.uniform(1, 30))
        self._add(device, at, TASKHOST, "taskhostw.exe", self._pid(), parent, "SYSTEM")
        at += timedelta(minutes=rng.uniform(1, 30))
        update = f'"{MPCMDRUN.folder}\\MpCmdRun.exe" -SignatureUpdate -ScheduleJob'
        self._add(device, at, MPCMDRUN, update, self._pid(), parent, "SYSTEM")

    def _linux_server(self, device: DemoDevice, day: datetime) -> None:
        rng = self.rng
        cron = 400 + int(device.device_id[:3], 16) % 400
        at = day + timedelta(hours=6, minutes=25, seconds=rng.uniform(0, 40))
        job = "test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }"
        sh, parts = self._pid(), self._pid()
        self._add(
            device, at, SH, f"/bin/sh -c {job}", sh, (cron, CRON.name, "/usr/sbin/cron -f"), "root"
        )
        at += timedelta(seconds=rng.uniform(0.1, 1))
        self._add(
            device,
            at,
            RUN_PARTS,
            "run-parts --report /etc/cron.daily",
            parts,
            (sh, SH.name, f"/bin/sh -c {job}"),
            "root",
        )
        at += timedelta(seconds=rng.uniform(0.5, 20))
        self._add(
            device,
            at,
            LOGROTATE,
            "/usr/sbin/logrotate /etc/logrotate.conf",
            self._pid(),
            (parts, RUN_PARTS.name, "run-parts --report /etc/cron.daily"),
            "root",
        )
        if day.weekday() == 0:
            at = day + timedelta(hours=rng.uniform(0, 1))
            self._add(
                device,
                at,
                NODE_EXPORTER,
                "/usr/local/bin/node_exporter",
                self._pid(),
                (1, SYSTEMD.name, "/sbin/init"),
                "node-exp",
            )
        if rng.random() < 0.4:
            at = day + timedelta(hours=rng.uniform(8, 17))
            sshd, bash = self._pid(), self._pid()
            self._add(
                device,
                at,
                SSHD,
                "sshd: deploy [priv]",
                sshd,
                (rng.randint(600, 900), SSHD.name, "sshd: /usr/sbin/sshd -D"),
                "root",
            )
            at += timedelta(seconds=rng.uniform(1, 3))
            self._add(
                device, at, BASH, "-bash", bash, (sshd, SSHD.name, "sshd: deploy [priv]"), "deploy"
            )
            role = next((t.split(":", 1)[1] for t in device.tags if t.startswith("role:")), "app")
            command = rng.choice(
                (f"sudo systemctl status {role}", "sudo apt-get upgrade -y", "df -h", "uptime")
            )
            image = SUDO if command.startswith("sudo") else BASH
            at += timedelta(seconds=rng.uniform(5, 120))
            self._add(device, at, image, command, self._pid(), (bash, BASH.name, "-bash"), "deploy")


def chronological(events: Iterable[Record]) -> list[Record]:
    """Events ordered by time, then device."""
    return sorted(events, key=lambda e: (str(e["timestamp"]), str(e["deviceId"])))
