r"""Parent/child findings: which programs should not start a shell or an interpreter.

Names are compared as lower-case base names without ``.exe``, so ``C:\…\WINWORD.EXE`` and
``/usr/lib/libreoffice/program/soffice.bin`` match their class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autoir.domain.alerts.enums import EvidenceVerdict

SHELLS = frozenset(
    {
        "sh", "bash", "dash", "zsh", "ksh", "csh", "tcsh", "fish", "busybox",
        "cmd", "powershell", "pwsh", "wscript", "cscript", "mshta", "rundll32", "regsvr32",
        "python", "python2", "python3", "perl", "ruby", "php", "node", "nc", "ncat", "netcat",
        "socat", "curl", "wget", "certutil", "bitsadmin",
    }
)  # fmt: skip

DOCUMENT_APPS = frozenset(
    {
        "winword", "excel", "powerpnt", "outlook", "msaccess", "mspub", "onenote", "visio",
        "acrord32", "acrobat", "foxitreader", "soffice", "soffice.bin", "libreoffice", "oosplash",
        "thunderbird", "evolution", "evince", "okular", "xdg-open",
    }
)  # fmt: skip

SERVER_DAEMONS = frozenset(
    {
        "nginx", "apache2", "httpd", "lighttpd", "caddy", "php-fpm", "php-cgi", "w3wp",
        "tomcat", "catalina", "java", "node", "gunicorn", "uwsgi", "sqlservr", "postgres",
        "mysqld", "mariadbd", "redis-server", "mongod", "exim", "exim4", "postfix", "sendmail",
        "dovecot", "vsftpd", "proftpd", "sshd-session",
    }
)  # fmt: skip

UAC_BYPASS_HOSTS = frozenset(
    {"eventvwr", "fodhelper", "computerdefaults", "sdclt", "slui", "wsreset", "changepk", "sysprep"}
)
"""Auto-elevating Windows programs whose registry-hijack bypasses start the attacker's program."""

REMOTE_EXECUTION_HOSTS = frozenset(
    {"wmiprvse", "wsmprovhost", "winrshost", "psexesvc", "remcomsvc", "paexec", "mmc", "dllhost"}
)
"""Hosts of WMI, WinRM, PsExec-style services and DCOM objects (remote execution)."""

_VERSION_SUFFIX = re.compile(r"(?:\.exe)?$|[0-9.]+$")


def base_name(image: str | None) -> str:
    r"""``C:\Program Files\WINWORD.EXE`` → ``winword``; ``/usr/bin/python3.11`` → ``python3``."""
    if not image:
        return ""
    name = re.split(r"[\\/]", image.strip().strip('"'))[-1].lower()
    name = name.removesuffix(".exe")
    if name.startswith("python3"):
        return "python3"
    if name.startswith("php") and name not in {"php-fpm", "php-cgi"}:
        return "php"
    return name


@dataclass(frozen=True, slots=True)
class LineageFinding:
    """A suspicious parent → child pair."""

    code: str
    description: str
    verdict: EvidenceVerdict
    weight: float


def lineage_findings(
    image: str, parent: str | None, ancestors: tuple[str, ...]
) -> list[LineageFinding]:
    """Findings about who started ``image`` (names as given; compared by base name)."""
    child = base_name(image)
    if child not in SHELLS:
        return []
    found: list[LineageFinding] = []
    chain = [base_name(parent)] if parent else []
    chain.extend(base_name(a) for a in ancestors)
    direct = chain[0] if chain else ""
    if direct in DOCUMENT_APPS:
        found.append(
            LineageFinding(
                "process.document_spawned_shell",
                f"{direct} (a document, mail or PDF application) started {child}",
                EvidenceVerdict.MALICIOUS,
                0.85,
            )
        )
    elif any(a in DOCUMENT_APPS for a in chain[1:4]):
        origin = next(a for a in chain[1:4] if a in DOCUMENT_APPS)
        found.append(
            LineageFinding(
                "process.document_ancestor_shell",
                f"{child} descends from {origin} (a document, mail or PDF application)",
                EvidenceVerdict.SUSPICIOUS,
                0.6,
            )
        )
    if direct in UAC_BYPASS_HOSTS:
        found.append(
            LineageFinding(
                "process.uac_bypass_child",
                f"{direct} (an auto-elevating Windows program) started {child}: the pattern of a "
                "UAC bypass",
                EvidenceVerdict.MALICIOUS,
                0.85,
            )
        )
    if direct in REMOTE_EXECUTION_HOSTS:
        found.append(
            LineageFinding(
                "process.remote_execution_child",
                f"{direct} started {child}: a command run through WMI, WinRM, a PsExec-style "
                "service or DCOM",
                EvidenceVerdict.SUSPICIOUS,
                0.5,
            )
        )
    if direct in SERVER_DAEMONS and child not in {"node", "php", "python3", "python"}:
        found.append(
            LineageFinding(
                "process.server_spawned_shell",
                f"{direct} (a network service) started {child}: the pattern of a web shell or "
                "an exploited service",
                EvidenceVerdict.SUSPICIOUS,
                0.7,
            )
        )
    return found
