"""The demo directory: users with departments and titles, and the devices they own."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from autoir.demo.names import (
    ADMIN_TITLES,
    ANALYST_TITLES,
    DEPARTMENTS,
    NAME_POOLS,
    REQUIRED_SEATS,
    Department,
    split_list,
)
from autoir.demo.primitives import hex_string, new_guid

if TYPE_CHECKING:
    from random import Random

MIN_USERS = len(REQUIRED_SEATS) + 11
MIN_DEVICES = 20

_LINUX_ROLES = (
    "web",
    "web",
    "db",
    "app",
    "api",
    "k8s-node",
    "k8s-node",
    "ci-runner",
    "bastion",
    "log",
    "mq",
    "cache",
    "etl",
    "db",
    "web",
    "app",
    "k8s-node",
    "monitor",
)
_LINUX_VERSIONS = (
    "Ubuntu 22.04.4 LTS",
    "Ubuntu 24.04.1 LTS",
    "Red Hat Enterprise Linux 9.4",
    "Debian GNU/Linux 12",
)
_WINDOWS_SERVERS = (
    "DC-01",
    "DC-02",
    "FS-01",
    "SQL-01",
    "RDS-01",
    "APPSRV-01",
    "DC-03",
    "FS-02",
    "SQL-02",
    "PRINT-01",
    "WSUS-01",
    "ADFS-01",
    "CA-01",
    "BACKUP-01",
)
_MAC_DEPARTMENTS = frozenset({"MKT", "PRD", "ENG", "EXE"})
_DESKTOP_DEPARTMENTS = frozenset({"OPS", "SUP", "FIN"})


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A user of the demo tenant."""

    upn: str
    display_name: str
    department: str
    job_title: str
    country: str
    azure_ad_user_id: str
    user_sid: str
    is_admin: bool


@dataclass(frozen=True, slots=True)
class DemoDevice:
    """A device onboarded to Defender for Endpoint; ``device_id`` is 40 hex digits."""

    device_id: str
    dns_name: str
    os_platform: str
    os_version: str
    ip_addresses: tuple[str, ...]
    owner_upn: str | None
    tags: tuple[str, ...]

    @property
    def host_name(self) -> str:
        """The first label of the DNS name."""
        return self.dns_name.split(".", 1)[0]

    @property
    def is_windows(self) -> bool:
        """True for Windows clients and servers."""
        return self.os_platform.startswith("Windows")


@dataclass(frozen=True, slots=True)
class Directory:
    """Users and devices plus the look-ups the alert builders need."""

    domain: str
    netbios: str
    users: tuple[DemoUser, ...]
    devices: tuple[DemoDevice, ...]
    _by_upn: dict[str, DemoUser] = field(init=False, repr=False, compare=False)
    _owned: dict[str, tuple[DemoDevice, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        owned: dict[str, list[DemoDevice]] = {}
        for device in self.devices:
            if device.owner_upn:
                owned.setdefault(device.owner_upn, []).append(device)
        object.__setattr__(self, "_by_upn", {user.upn: user for user in self.users})
        object.__setattr__(self, "_owned", {upn: tuple(devs) for upn, devs in owned.items()})

    def user(self, upn: str) -> DemoUser:
        """The user with this UPN."""
        return self._by_upn[upn]

    def devices_of(self, user: DemoUser) -> tuple[DemoDevice, ...]:
        """Devices owned by ``user`` (possibly none)."""
        return self._owned.get(user.upn, ())

    def windows_workstation_of(self, user: DemoUser) -> DemoDevice | None:
        """The user's Windows laptop or desktop, if any."""
        for device in self.devices_of(user):
            if device.os_platform in ("Windows10", "Windows11"):
                return device
        return None

    def devices_where(self, *, platform_prefix: str, tag: str | None = None) -> list[DemoDevice]:
        """Devices whose platform starts with ``platform_prefix`` (and carry ``tag``)."""
        return [
            d
            for d in self.devices
            if d.os_platform.startswith(platform_prefix) and (tag is None or tag in d.tags)
        ]

    @property
    def analysts(self) -> tuple[str, ...]:
        """UPNs of the SOC analysts who work the queue."""
        return tuple(u.upn for u in self.users if u.job_title in ANALYST_TITLES)

    def account_name(self, user: DemoUser) -> str:
        """The on-premises sAMAccountName (UPN local part, at most 20 characters)."""
        return user.upn.split("@", 1)[0][:20]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _departments_for(rng: Random, count: int) -> list[tuple[Department, str]]:
    by_code = {d.code: d for d in DEPARTMENTS}
    seats: list[tuple[Department, str]] = [
        (by_code[code], title) for code, title in REQUIRED_SEATS[:count]
    ]
    weights = [d.weight for d in DEPARTMENTS]
    chiefs: set[str] = {title for _, title in seats if title.startswith("Chief")}
    while len(seats) < count:
        department = rng.choices(DEPARTMENTS, weights)[0]
        titles = split_list(department.titles)
        # Titles are listed from common to rare (managers last).
        title = rng.choices(titles, [1 / (i + 2) for i in range(len(titles))])[0]
        if title.startswith("Chief"):
            if title in chiefs:
                title = "Executive Assistant"
            chiefs.add(title)
        seats.append((department, title))
    rng.shuffle(seats)
    return seats


def build_users(rng: Random, domain: str, count: int) -> tuple[DemoUser, ...]:
    """``count`` users with unique UPNs in ``domain``."""
    domain_sid = "S-1-5-21-" + "-".join(
        str(rng.randint(1_000_000_000, 4_000_000_000)) for _ in "123"
    )
    pool_weights = [p.weight for p in NAME_POOLS]
    users: list[DemoUser] = []
    taken: set[str] = set()
    for index, (department, title) in enumerate(_departments_for(rng, count)):
        pool = rng.choices(NAME_POOLS, pool_weights)[0]
        first = rng.choice(split_list(pool.first_names))
        last = rng.choice(split_list(pool.last_names))
        local = f"{_ascii(first)}.{_ascii(last)}"
        candidate, suffix = local, 2
        while candidate in taken:
            candidate, suffix = f"{local}{suffix}", suffix + 1
        taken.add(candidate)
        users.append(
            DemoUser(
                upn=f"{candidate}@{domain}",
                display_name=f"{first} {last}",
                department=department.name,
                job_title=title,
                country=pool.country,
                azure_ad_user_id=new_guid(rng),
                user_sid=f"{domain_sid}-{1104 + index}",
                is_admin=title in ADMIN_TITLES,
            )
        )
    return tuple(users)


def _linux_servers(rng: Random, domain: str, count: int) -> list[DemoDevice]:
    numbers: dict[str, int] = {}
    devices = []
    for index in range(count):
        role = _LINUX_ROLES[index % len(_LINUX_ROLES)]
        numbers[role] = numbers.get(role, 0) + 1
        name = f"{role}-{numbers[role]:02d}"
        zone = "DMZ" if role in ("web", "bastion") else "Datacenter"
        subnet = "10.30.0" if zone == "DMZ" else f"10.10.{rng.randint(1, 4)}"
        devices.append(
            DemoDevice(
                device_id=hex_string(rng, 40),
                dns_name=f"{name}.srv.{domain}",
                os_platform="Linux",
                os_version=rng.choice(_LINUX_VERSIONS),
                ip_addresses=(f"{subnet}.{rng.randint(10, 250)}",),
                owner_upn=None,
                tags=("Production", zone, "Linux", f"role:{role}"),
            )
        )
    return devices


def _windows_servers(rng: Random, domain: str, count: int) -> list[DemoDevice]:
    devices = []
    for index in range(count):
        base = _WINDOWS_SERVERS[index % len(_WINDOWS_SERVERS)]
        name = base if index < len(_WINDOWS_SERVERS) else f"{base}-{index}"
        modern = rng.random() < 0.7
        tags = (
            ("Production", "Tier0") if name.startswith(("DC-", "ADFS-", "CA-")) else ("Production",)
        )
        devices.append(
            DemoDevice(
                device_id=hex_string(rng, 40),
                dns_name=f"{name.lower()}.corp.{domain}",
                os_platform="WindowsServer2022" if modern else "WindowsServer2019",
                os_version="21H2" if modern else "1809",
                ip_addresses=(f"10.10.0.{10 + index}",),
                owner_upn=None,
                tags=tags,
            )
        )
    return devices


def _client(
    rng: Random, domain: str, owner: DemoUser, code: str, number: int, *, mac: bool
) -> DemoDevice:
    if mac:
        prefix, platform = "MB", "macOS"
        version = rng.choice(("14.6.1", "14.7", "15.0.1", "15.1"))
    else:
        desktop = code in _DESKTOP_DEPARTMENTS and rng.random() < 0.4
        prefix = "DT" if desktop else "LT"
        platform = "Windows11" if rng.random() < 0.7 else "Windows10"
        version = rng.choice(("23H2", "24H2")) if platform == "Windows11" else "22H2"
    addresses = [f"10.20.{rng.randint(0, 15)}.{rng.randint(10, 250)}"]
    if prefix != "DT" and rng.random() < 0.3:
        addresses.append(f"10.99.{rng.randint(0, 7)}.{rng.randint(2, 250)}")  # VPN pool
    tags = [owner.department, "Laptop" if prefix in ("LT", "MB") else "Desktop"]
    if code == "EXE":
        tags.append("VIP")
    return DemoDevice(
        device_id=hex_string(rng, 40),
        dns_name=f"{prefix.lower()}-{code.lower()}-{number:04d}.corp.{domain}",
        os_platform=platform,
        os_version=version,
        ip_addresses=tuple(addresses),
        owner_upn=owner.upn,
        tags=tuple(tags),
    )


def build_devices(
    rng: Random, domain: str, users: tuple[DemoUser, ...], count: int
) -> tuple[DemoDevice, ...]:
    """``count`` devices: Linux and Windows servers, then user-owned laptops, desktops and Macs."""
    linux = max(3, round(count * 0.10))
    windows = max(2, round(count * 0.04))
    devices = _linux_servers(rng, domain, linux) + _windows_servers(rng, domain, windows)
    codes = {d.name: d.code for d in DEPARTMENTS}
    owners = list(users)
    rng.shuffle(owners)
    macs_left = max(1, round(count * 0.05))
    numbers: dict[str, int] = {}
    for index in range(count - len(devices)):
        owner = owners[index % len(owners)]
        code = codes[owner.department]
        numbers[code] = numbers.get(code, rng.randint(8, 60)) + rng.randint(1, 9)
        mac = macs_left > 0 and code in _MAC_DEPARTMENTS and rng.random() < 0.5
        macs_left -= mac
        devices.append(_client(rng, domain, owner, code, numbers[code], mac=mac))
    return tuple(devices)


def build_directory(rng: Random, domain: str, user_count: int, device_count: int) -> Directory:
    """Build the users and devices of the tenant.

    Args:
        rng: the seeded source of randomness.
        domain: the organisation's DNS domain (UPN suffix).
        user_count: how many users.
        device_count: how many devices.

    Returns:
        The directory with its look-ups.

    Raises:
        ValueError: if the tenant is too small for the scenarios to find their cast.
    """
    if user_count < MIN_USERS or device_count < MIN_DEVICES:
        raise ValueError(f"need at least {MIN_USERS} users and {MIN_DEVICES} devices")
    users = build_users(rng, domain, user_count)
    devices = build_devices(rng, domain, users, device_count)
    netbios = domain.split(".", 1)[0].upper()[:15]
    return Directory(domain=domain, netbios=netbios, users=users, devices=devices)
