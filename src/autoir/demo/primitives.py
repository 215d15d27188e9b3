"""Seeded building blocks: GUIDs, hashes, documentation IP addresses and Graph timestamps."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from random import Random

# RFC 5737 documentation ranges: public-looking, never routable.
DOCUMENTATION_NETWORKS = ("192.0.2", "198.51.100", "203.0.113")
_DETECTOR_NAMESPACE = uuid.UUID("5f0c2a4e-8d1b-4b7e-9a63-2f1d7c9e4b10")
_DOTNET_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


def new_guid(rng: Random) -> str:
    """A random (version 4) GUID drawn from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def stable_guid(name: str) -> str:
    """A GUID that depends only on ``name``; used for detector ids."""
    return str(uuid.uuid5(_DETECTOR_NAMESPACE, name))


def hex_string(rng: Random, length: int) -> str:
    """``length`` random lower-case hexadecimal digits."""
    return f"{rng.getrandbits(length * 4):0{length}x}"


def public_ip(rng: Random, network: str | None = None) -> str:
    """A public-looking address from a documentation range (or from ``network``)."""
    prefix = network or rng.choice(DOCUMENTATION_NETWORKS)
    return f"{prefix}.{rng.randint(2, 254)}"


def dotnet_ticks(value: datetime) -> int:
    """100-nanosecond ticks since 0001-01-01, as in Defender for Endpoint alert ids."""
    return (value - _DOTNET_EPOCH) // timedelta(microseconds=1) * 10


def iso(value: datetime) -> str:
    """Format as Graph does: UTC, microseconds, ``Z`` suffix."""
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def seconds(rng: Random, low: float, high: float) -> timedelta:
    """A random duration between ``low`` and ``high`` seconds."""
    return timedelta(seconds=rng.uniform(low, high))


def minutes(value: float) -> timedelta:
    """``value`` minutes."""
    return timedelta(minutes=value)


def hours(value: float) -> timedelta:
    """``value`` hours."""
    return timedelta(hours=value)


@dataclass(frozen=True, slots=True)
class FileSpec:
    """A file as evidence describes it; ``sha256`` is None for common signed OS binaries."""

    name: str
    folder: str
    size: int
    sha1: str
    sha256: str | None
    md5: str
    publisher: str | None = None
    signer: str | None = None
    issuer: str | None = None

    @property
    def path(self) -> str:
        """Folder and name joined with the separator the folder uses."""
        separator = "/" if self.folder.startswith("/") else "\\"
        return f"{self.folder.rstrip(separator)}{separator}{self.name}"


def random_file(
    rng: Random, name: str, folder: str, *, size: tuple[int, int] = (20_000, 4_000_000)
) -> FileSpec:
    """An unsigned file with fresh random hashes (malware, scripts, documents)."""
    return FileSpec(
        name=name,
        folder=folder,
        size=rng.randint(*size),
        sha1=hex_string(rng, 40),
        sha256=hex_string(rng, 64),
        md5=hex_string(rng, 32),
    )


def system_file(name: str, folder: str, publisher: str = "Microsoft Corporation") -> FileSpec:
    """A signed platform binary with hashes derived from its path (the same on every host).

    The sha256 is left out on purpose: binaries such as ``powershell.exe`` appear on every host,
    and a shared sha256 (a strong entity) would make a correlator join unrelated alerts. Only the
    weak sha1/md5 are filled in.
    """
    digest = hashlib.sha512(f"{folder}|{name}".lower().encode()).hexdigest()
    microsoft = publisher == "Microsoft Corporation"
    return FileSpec(
        name=name,
        folder=folder,
        size=30_000 + int(digest[:5], 16),
        sha1=digest[5:45],
        sha256=None,
        md5=digest[45:77],
        publisher=publisher,
        signer="Microsoft Windows" if microsoft else publisher,
        issuer="Microsoft Windows Production PCA 2011" if microsoft else None,
    )
