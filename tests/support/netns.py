"""Real hosts for tests: Linux network namespaces on a bridge in the root namespace.

``netns`` (a pytest fixture; ``netns_module`` for one per test module) gives a :class:`Network`: a bridge ``br-autoir<N>`` with
``10.231.<N>.1/24`` in the root namespace, where a test's server listens. ``add_host(name)``
makes a host: a namespace ``autoir-<N>-<name>`` joined to the bridge by a veth pair (``eth0``
inside), address ``10.231.<N>.<k>/24``, ``lo`` up, the default route via the bridge address.
Commands run inside with :meth:`Host.run` / :meth:`Host.popen` (``ip netns exec``), each in a
UTS namespace of its own with the host's name as hostname, and with its own
``/etc/machine-id`` (``ip netns exec`` bind-mounts ``/etc/netns/<namespace>/*`` over
``/etc``), so every host reports facts of its own.

``N`` is unique per xdist worker (``master`` 0, ``gw0`` 1, ``gw1`` 2, …) and, through a lock
file, per running test session: a second session on the same machine takes the next free
``N`` instead of sharing (or tearing down) the first one's bridge. Teardown deletes the
namespaces, veths, bridge and ``/etc/netns`` entries even when the test failed; leftovers of a
crashed earlier run with the same ``N`` (its lock is free) are cleared at start.

Needs root and ``iproute2``: otherwise the tests skip (locally) or fail (CI), see
:func:`tests.support.services.missing_service`. Tests using it carry the ``netns`` marker.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from tests.support.services import missing_service

SUBNET = "10.231"
MAX_NETWORKS = 250
MAX_HOSTS = 250
NETNS_ETC = Path("/etc/netns")
LOCK_DIR = Path(tempfile.gettempdir()) / "autoir-netns-locks"
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,30}")
# Runs the command in a fresh UTS namespace with the host's name: ``sh -c SCRIPT NAME ARGV…``.
_SET_HOSTNAME = 'hostname "$0" && exec "$@"'


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``ip ARGS`` in the root namespace; raises with ip's message when ``check`` and it fails."""
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False, timeout=30)
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed: {result.stderr.strip()}")
    return result


@dataclass(frozen=True)
class Host:
    """One host: a network namespace with an address on the network's bridge."""

    name: str
    namespace: str
    address: str
    machine_id: str
    uts: bool = True

    def command(self, argv: Sequence[str]) -> list[str]:
        """The argv that runs ``argv`` inside this host."""
        inner = [str(a) for a in argv]
        if self.uts:
            inner = ["unshare", "--uts", "--", "sh", "-c", _SET_HOSTNAME, self.name, *inner]
        return ["ip", "netns", "exec", self.namespace, *inner]

    def run(self, argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside and wait (captured text output, 60 s timeout, no check)."""
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("check", False)
        return subprocess.run(self.command(argv), **kwargs)  # noqa: PLW1510 - set above

    def popen(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[str]:
        """Start ``argv`` inside (text mode); the caller waits for or kills it."""
        kwargs.setdefault("text", True)
        return subprocess.Popen(self.command(argv), **kwargs)


@dataclass
class Network:
    """A bridge in the root namespace and the hosts attached to it."""

    index: int
    hosts: list[Host] = field(default_factory=list)

    @property
    def bridge(self) -> str:
        return f"br-autoir{self.index}"

    @property
    def gateway(self) -> str:
        """The bridge's address in the root namespace (where a test's server listens)."""
        return f"{SUBNET}.{self.index}.1"

    @property
    def prefix(self) -> str:
        return f"autoir-{self.index}-"

    def _veth(self, k: int) -> str:
        return f"va{self.index}h{k}"  # at most 15 characters (IFNAMSIZ)

    def start(self) -> None:
        """Clear leftovers of an earlier run with this index, then make the bridge."""
        self.clear()
        ip("link", "add", self.bridge, "type", "bridge")
        ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")

    def add_host(self, name: str) -> Host:
        """A new host ``name`` (lower-case letters, digits, ``-``) at the next free address."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"host name {name!r} is not lower-case letters, digits and '-'")
        if any(h.name == name for h in self.hosts):
            raise ValueError(f"host {name!r} exists already")
        k = len(self.hosts) + 10
        if k > MAX_HOSTS:
            raise ValueError("too many hosts on one network")
        namespace, veth = self.prefix + name, self._veth(k)
        machine_id = secrets.token_hex(16)
        etc = NETNS_ETC / namespace
        etc.mkdir(parents=True, exist_ok=True)
        (etc / "machine-id").write_text(machine_id + "\n", encoding="ascii")
        host = Host(name, namespace, f"{SUBNET}.{self.index}.{k}", machine_id, _has_unshare())
        self.hosts.append(host)
        ip("netns", "add", namespace)
        ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace)
        ip("link", "set", veth, "master", self.bridge, "up")
        ip("-n", namespace, "addr", "add", f"{host.address}/24", "dev", "eth0")
        ip("-n", namespace, "link", "set", "eth0", "up")
        ip("-n", namespace, "link", "set", "lo", "up")
        ip("-n", namespace, "route", "add", "default", "via", self.gateway)
        return host

    def clear(self) -> None:
        """Delete every namespace, veth and ``/etc/netns`` entry of this index, and the bridge."""
        listed = ip("netns", "list", check=False).stdout.split("\n")
        for line in listed:
            namespace = line.split(" ", 1)[0]
            if namespace.startswith(self.prefix):
                ip("netns", "del", namespace, check=False)
        links = ip("-o", "link", "show", check=False).stdout.splitlines()
        for line in links:
            parts = line.split(":", 2)
            if len(parts) > 1:
                link = parts[1].strip().split("@", 1)[0]
                if link.startswith(f"va{self.index}h") or link == self.bridge:
                    ip("link", "del", link, check=False)
        if NETNS_ETC.is_dir():
            for entry in NETNS_ETC.glob(f"{self.prefix}*"):
                shutil.rmtree(entry, ignore_errors=True)
        self.hosts.clear()


def _has_unshare() -> bool:
    return shutil.which("unshare") is not None


def worker_index(worker_id: str) -> int:
    """``master`` → 0, ``gw<k>`` → k + 1 (pytest-xdist's worker ids)."""
    match = re.fullmatch(r"gw(\d+)", worker_id)
    return int(match.group(1)) + 1 if match else 0


@contextmanager
def _claim(preferred: int) -> Iterator[int]:
    """Hold an exclusive lock on the first free network index from ``preferred`` on."""
    LOCK_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle: IO[str] | None = None
    for step in range(MAX_NETWORKS):
        index = (preferred + step) % MAX_NETWORKS
        candidate = (LOCK_DIR / f"{index}.lock").open("w")
        try:
            fcntl.flock(candidate, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            candidate.close()
            continue
        handle = candidate
        break
    if handle is None:
        raise RuntimeError("every network index is in use")
    try:
        yield index
    finally:
        handle.close()


def netns_unavailable() -> str | None:
    """Why this machine cannot run the namespace hosts, or ``None``."""
    if shutil.which("ip") is None:
        return "iproute2 (`ip`) is not installed (apt-get install iproute2)"
    if os.geteuid() != 0:
        return "network namespaces need root"
    return None


@contextmanager
def running_network(preferred: int = 0) -> Iterator[Network]:
    """A fresh network (bridge up, no hosts yet); torn down on exit, whatever happened."""
    with _claim(preferred) as index:
        network = Network(index)
        try:
            network.start()
            yield network
        finally:
            network.clear()


def _network_for(worker_id: str) -> Iterator[Network]:
    reason = netns_unavailable()
    if reason is not None:
        missing_service(reason)
    probe = f"autoir-probe-{os.getpid()}"
    created = ip("netns", "add", probe, check=False)
    if created.returncode != 0:
        missing_service(f"cannot create network namespaces: {created.stderr.strip()}")
    ip("netns", "del", probe, check=False)
    with running_network(worker_index(worker_id)) as network:
        yield network


@pytest.fixture
def netns(worker_id: str) -> Iterator[Network]:
    """A network of namespace hosts for one test (``add_host`` makes them)."""
    yield from _network_for(worker_id)


@pytest.fixture(scope="module")
def netns_module(worker_id: str) -> Iterator[Network]:
    """One network for a whole test module (for a server its tests share); distinct host names."""
    yield from _network_for(worker_id)
