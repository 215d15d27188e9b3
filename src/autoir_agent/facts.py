"""What the agent reports about its host (the ``deviceEvidence`` facts of the protocol).

Every reader takes its source as an argument (a path, a command runner) so tests can feed it
sample files; the defaults read the real host. Nothing here raises on a missing source: a fact
that cannot be read is reported empty, and the heartbeat still goes out.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import platform
import shutil
import socket
import struct
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from autoir_agent import __version__

OS_RELEASE = Path("/etc/os-release")
MACHINE_ID = Path("/etc/machine-id")
UTMP = Path("/var/run/utmp")
_COMMAND_TIMEOUT = 5.0

# glibc's ``struct utmp`` on Linux (x86-64, aarch64 …): 384 bytes, little-endian on those hosts.
# type, (pad), pid, line[32], id[4], user[32], host[256], exit{termination, exit}, session,
# tv{sec, usec}, addr_v6[4], unused[20].
UTMP_RECORD = struct.Struct("=hxxi32s4s32s256shhiii4i20s")
USER_PROCESS = 7

Runner = Callable[[Sequence[str]], str | None]


def run_command(argv: Sequence[str]) -> str | None:
    """Run a read-only command; its stdout, or ``None`` when it is missing or fails."""
    program = shutil.which(argv[0])
    if program is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell, found on PATH
            [program, *argv[1:]],
            capture_output=True,
            text=True,
            timeout=_COMMAND_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def hostname() -> str:
    """The host's name as the kernel knows it."""
    return socket.gethostname()


def os_version(os_release: Path = OS_RELEASE) -> str:
    """``PRETTY_NAME`` from os-release (``NAME VERSION_ID`` or ``Linux`` when it is missing)."""
    try:
        text = os_release.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "Linux"
    fields = parse_os_release(text)
    if fields.get("PRETTY_NAME"):
        return fields["PRETTY_NAME"]
    name = " ".join(v for v in (fields.get("NAME"), fields.get("VERSION_ID")) if v)
    return name or "Linux"


def parse_os_release(text: str) -> dict[str, str]:
    """``KEY=value`` lines, with the shell quoting os-release allows (double, single quotes)."""
    fields: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":  # noqa: PLR2004
            quote, value = value[0], value[1:-1]
            if quote == '"':
                value = _unescape(value)
        fields[key.strip()] = value
    return fields


def _unescape(value: str) -> str:
    out: list[str] = []
    escaped = False
    for char in value:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


def os_build() -> str:
    """The kernel release (``uname -r``)."""
    return platform.release()


def machine_id(path: Path = MACHINE_ID) -> str | None:
    """The systemd machine id, or ``None`` when the host has none (the caller keeps its own)."""
    try:
        value = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return value if value and value != "uninitialized" else None


def ip_addresses(run: Runner = run_command) -> list[str]:
    """Every address on the host but loopback ones, from ``ip -j addr``; else from the resolver."""
    output = run(["ip", "-j", "addr"])
    if output is not None:
        parsed = parse_ip_json(output)
        if parsed is not None:
            return parsed
    return _resolver_addresses()


def parse_ip_json(output: str) -> list[str] | None:
    """Addresses from ``ip -j addr`` output (IPv4 first, in interface order); ``None`` if bad."""
    try:
        interfaces = json.loads(output)
    except ValueError:
        return None
    if not isinstance(interfaces, list):
        return None
    found: list[str] = []
    for interface in interfaces:
        if not isinstance(interface, dict):
            continue
        for info in interface.get("addr_info", []) or []:
            address = info.get("local") if isinstance(info, dict) else None
            if isinstance(address, str) and _reportable(address):
                found.append(address)
    return _ordered(found)


def _resolver_addresses() -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None)
    except OSError:
        return []
    return _ordered([str(info[4][0]) for info in infos if _reportable(str(info[4][0]))])


def _reportable(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return not (parsed.is_loopback or parsed.is_unspecified)


def _ordered(addresses: list[str]) -> list[str]:
    unique = list(dict.fromkeys(addresses))
    return sorted(unique, key=lambda a: ipaddress.ip_address(a.split("%", 1)[0]).version)


def logged_on_users(utmp: Path = UTMP, run: Runner = run_command) -> list[str]:
    """The users with a login session, sorted, from utmp; else from ``who``."""
    try:
        data = utmp.read_bytes()
    except OSError:
        output = run(["who"])
        return parse_who(output) if output is not None else []
    return parse_utmp(data)


def parse_utmp(data: bytes) -> list[str]:
    """User names of the ``USER_PROCESS`` records in a utmp file's bytes."""
    users: set[str] = set()
    size = UTMP_RECORD.size
    for offset in range(0, len(data) - size + 1, size):
        record = UTMP_RECORD.unpack_from(data, offset)
        if record[0] == USER_PROCESS:
            name = record[4].split(b"\0", 1)[0].decode("utf-8", errors="replace")
            if name:
                users.add(name)
    return sorted(users)


def parse_who(output: str) -> list[str]:
    """User names from ``who`` output (the first column)."""
    return sorted({line.split()[0] for line in output.splitlines() if line.strip()})


def enrolment_facts(machine: str) -> dict[str, Any]:
    """The host facts of ``POST /agent/v1/enroll`` (without the token)."""
    return {
        "hostname": hostname(),
        "osPlatform": "Linux",
        "osVersion": os_version(),
        "agentVersion": __version__,
        "machineId": machine,
    }


def heartbeat_facts(device_id: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """The body of ``POST /agent/v1/heartbeat``."""
    sent = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    return {
        "deviceId": device_id,
        "hostname": hostname(),
        "osPlatform": "Linux",
        "osVersion": os_version(),
        "osBuild": os_build(),
        "agentVersion": __version__,
        "ipInterfaces": ip_addresses(),
        "loggedOnUsers": logged_on_users(),
        "healthStatus": "active",
        "sentDateTime": sent.isoformat().replace("+00:00", "Z"),
    }
