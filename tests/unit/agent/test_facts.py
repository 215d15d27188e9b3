"""Host facts from sample files and command output (no dependence on the test machine)."""

from __future__ import annotations

import datetime as dt
import json
import struct
from pathlib import Path

from autoir_agent import __version__, facts

IP_JSON = [
    {
        "ifname": "lo",
        "addr_info": [
            {"family": "inet", "local": "127.0.0.1"},
            {"family": "inet6", "local": "::1"},
        ],
    },
    {
        "ifname": "eth0",
        "addr_info": [
            {"family": "inet6", "local": "fe80::1c2f:8aff:fe00:10"},
            {"family": "inet", "local": "10.231.0.10"},
        ],
    },
    {"ifname": "eth1", "addr_info": [{"family": "inet", "local": "192.0.2.7"}]},
    {"ifname": "down0", "addr_info": []},
]


def _utmp_record(kind: int, user: str, line: str = "pts/0") -> bytes:
    return facts.UTMP_RECORD.pack(
        kind, 1234, line.encode(), b"ts/0", user.encode(), b"host", 0, 0, 0, 0, 0, 0, 0, 0, 0, b""
    )


def test_os_version_is_the_pretty_name_with_its_quotes_removed(tmp_path: Path) -> None:
    release = tmp_path / "os-release"
    release.write_text(
        '# comment\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm) \\"test\\""\nID=debian\n'
    )
    assert facts.os_version(release) == 'Debian GNU/Linux 12 (bookworm) "test"'


def test_os_version_falls_back_to_name_and_version_then_to_linux(tmp_path: Path) -> None:
    release = tmp_path / "os-release"
    release.write_text("NAME='Alpine Linux'\nVERSION_ID=3.20.1\n")
    assert facts.os_version(release) == "Alpine Linux 3.20.1"
    assert facts.os_version(tmp_path / "missing") == "Linux"


def test_machine_id_is_read_stripped_and_missing_or_uninitialized_is_none(tmp_path: Path) -> None:
    path = tmp_path / "machine-id"
    path.write_text("0123456789abcdef0123456789abcdef\n")
    assert facts.machine_id(path) == "0123456789abcdef0123456789abcdef"
    path.write_text("uninitialized\n")
    assert facts.machine_id(path) is None
    assert facts.machine_id(tmp_path / "missing") is None


def test_ip_addresses_from_ip_json_skip_loopback_and_list_ipv4_first() -> None:
    def run(argv: object) -> str:
        assert list(argv) == ["ip", "-j", "addr"]  # type: ignore[call-overload]
        return json.dumps(IP_JSON)

    assert facts.ip_addresses(run) == ["10.231.0.10", "192.0.2.7", "fe80::1c2f:8aff:fe00:10"]


def test_ip_addresses_fall_back_to_the_resolver_without_ip() -> None:
    addresses = facts.ip_addresses(lambda _argv: None)
    assert isinstance(addresses, list)
    assert all(a not in {"127.0.0.1", "::1"} for a in addresses)


def test_garbage_ip_output_is_not_trusted() -> None:
    assert facts.parse_ip_json("not json") is None
    assert facts.parse_ip_json('{"a": 1}') is None
    assert facts.parse_ip_json('[{"addr_info": [{"local": "nonsense"}]}, 3]') == []


def test_logged_on_users_come_from_utmp_user_process_records(tmp_path: Path) -> None:
    utmp = tmp_path / "utmp"
    utmp.write_bytes(
        _utmp_record(2, "reboot", "~")  # BOOT_TIME
        + _utmp_record(7, "bob")
        + _utmp_record(7, "alice", "pts/1")
        + _utmp_record(8, "carol")  # DEAD_PROCESS: logged out
        + _utmp_record(7, "bob", "pts/2")
        + b"\0" * 10  # a torn last record is ignored
    )
    assert facts.UTMP_RECORD.size == 384
    assert facts.logged_on_users(utmp, run=lambda _argv: None) == ["alice", "bob"]


def test_logged_on_users_fall_back_to_who_without_utmp(tmp_path: Path) -> None:
    who = "alice    pts/0        2026-12-04 18:00 (10.0.0.5)\nbob      tty1   2026-12-04 17:00\n"
    assert facts.logged_on_users(tmp_path / "none", run=lambda _argv: who) == ["alice", "bob"]
    assert facts.logged_on_users(tmp_path / "none", run=lambda _argv: None) == []


def test_utmp_layout_is_glibcs() -> None:
    # type(2) pad(2) pid(4) line(32) id(4) user(32) host(256) exit(4) session(4) tv(8) addr(16) 20
    assert struct.calcsize("=hxxi32s4s32s256shhiii4i20s") == 384


def test_heartbeat_facts_follow_the_protocol() -> None:
    now = dt.datetime(2026, 12, 4, 19, 0, 0, 123456, tzinfo=dt.UTC)
    body = facts.heartbeat_facts("a" * 40, now)
    assert body["deviceId"] == "a" * 40
    assert body["osPlatform"] == "Linux"
    assert body["agentVersion"] == __version__ == "1.0.0"
    assert body["healthStatus"] == "active"
    assert body["sentDateTime"] == "2026-12-04T19:00:00Z"
    assert isinstance(body["ipInterfaces"], list)
    assert isinstance(body["loggedOnUsers"], list)
    assert set(body) == {
        "deviceId", "hostname", "osPlatform", "osVersion", "osBuild", "agentVersion",
        "ipInterfaces", "loggedOnUsers", "healthStatus", "sentDateTime",
    }  # fmt: skip
