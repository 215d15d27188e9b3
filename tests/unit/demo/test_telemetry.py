"""The demo tenant's telemetry: valid records that tell the same stories as the alerts."""

from __future__ import annotations

import ipaddress
import itertools
import math
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from autoir.demo import DemoTenant, generate_demo_tenant
from autoir.demo.generator import generate_demo_scenarios
from autoir.domain.errors import FieldError
from autoir.domain.messages.message import EmailMessage
from autoir.domain.telemetry.clicks import UrlClick, parse_url_click
from autoir.domain.telemetry.endpoint import EndpointEvent, parse_endpoint_event
from autoir.domain.telemetry.message_json import parse_message_event
from autoir.domain.telemetry.signins import SignIn, parse_sign_in

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SEED = 7
RESERVED_SUFFIXES = (".example", ".test", ".invalid")
ALLOWED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)


@pytest.fixture(scope="module")
def tenant() -> DemoTenant:
    return generate_demo_tenant(seed=SEED, now=NOW)


@pytest.fixture(scope="module")
def parsed(tenant: DemoTenant) -> dict[str, list[Any]]:
    """Every record through the ingest parsers of its kind; no record may fail."""
    parsers = {
        "messages": parse_message_event,
        "urlClicks": parse_url_click,
        "endpointEvents": parse_endpoint_event,
        "signIns": parse_sign_in,
    }
    out: dict[str, list[Any]] = {}
    for kind, records in tenant.telemetry.by_kind().items():
        errors: list[FieldError] = []
        out[kind] = [parsers[kind](r, f"{kind}[{i}]", errors) for i, r in enumerate(records)]
        assert errors == [], errors[:5]
        assert None not in out[kind]
    return out


def _evidence(alerts: Any, kind: str) -> list[dict[str, Any]]:
    return [
        ev
        for alert in alerts
        for ev in alert["evidence"]
        if ev["@odata.type"] == f"#microsoft.graph.security.{kind}"
    ]


def _messages(parsed: dict[str, list[Any]]) -> dict[str, EmailMessage]:
    return {m.network_message_id: m for m in parsed["messages"]}


def test_telemetry_is_deterministic_and_differs_between_seeds(tenant: DemoTenant) -> None:
    again = generate_demo_tenant(seed=SEED, now=NOW)
    assert again.telemetry == tenant.telemetry
    other = generate_demo_tenant(seed=SEED + 1, now=NOW, days=3)
    assert other.telemetry.messages != tenant.telemetry.messages


def test_every_kind_has_a_realistic_volume(tenant: DemoTenant) -> None:
    counts = {kind: len(records) for kind, records in tenant.telemetry.by_kind().items()}
    assert 3_000 <= counts["messages"] <= 15_000, counts
    assert 50 <= counts["urlClicks"] <= 2_000, counts
    assert 10_000 <= counts["endpointEvents"] <= 60_000, counts
    assert 5_000 <= counts["signIns"] <= 30_000, counts
    assert len(tenant.telemetry) == sum(counts.values())


def test_every_record_passes_the_ingest_parsers(parsed: dict[str, list[Any]]) -> None:
    assert all(isinstance(m, EmailMessage) for m in parsed["messages"])
    assert all(isinstance(c, UrlClick) for c in parsed["urlClicks"])
    assert all(isinstance(e, EndpointEvent) for e in parsed["endpointEvents"])
    assert all(isinstance(s, SignIn) for s in parsed["signIns"])


def test_records_are_inside_the_window(parsed: dict[str, list[Any]]) -> None:
    start = NOW - timedelta(days=31, hours=6)  # parents of early alerts' processes came first
    times = [
        *(m.received_at for m in parsed["messages"]),
        *(c.clicked_at for c in parsed["urlClicks"]),
        *(e.time for e in parsed["endpointEvents"]),
        *(s.time for s in parsed["signIns"]),
    ]
    assert all(start <= moment <= NOW for moment in times)


def test_every_message_evidence_has_its_stored_message(
    tenant: DemoTenant, parsed: dict[str, list[Any]]
) -> None:
    stored = _messages(parsed)
    evidence = _evidence(tenant.alerts, "analyzedMessageEvidence")
    assert len(evidence) > 100
    for ev in evidence:
        message = stored[ev["networkMessageId"]]
        assert message.internet_message_id == ev["internetMessageId"]
        assert message.subject == ev["subject"]
        assert message.sender_ip == ev["senderIp"]
        assert message.recipients == (ev["recipientEmailAddress"].lower(),)
        assert message.sender_from_address == ev["p2Sender"]["emailAddress"].lower()
        assert message.sender_mail_from_address == ev["p1Sender"]["emailAddress"].lower()
        assert [u.url for u in message.urls] == ev["urls"]


def test_each_campaign_is_stored_and_its_copies_share_their_cluster_keys(
    tenant: DemoTenant, parsed: dict[str, list[Any]]
) -> None:
    stored = _messages(parsed)
    clusters = _evidence(tenant.alerts, "mailClusterEvidence")
    assert clusters
    for cluster in clusters:
        copies = [stored[i] for i in cluster["networkMessageIds"]]
        for key in ("sender_ip", "sender_from_address", "subject_fingerprint", "body_fingerprint"):
            values = {getattr(m, key) for m in copies}
            assert len(values) == 1, (key, cluster["clusterByValue"])
            assert None not in values, (key, cluster["clusterByValue"])
        # ZAP alerts: the copies are now in quarantine; an allow entry let them through.
        locations = {m.delivery_location.value for m in copies}
        expected = "inbox" if cluster["remediationStatus"] == "none" else "quarantine"
        assert locations == {expected}


def test_phish_fails_authentication_or_comes_from_a_look_alike_domain(
    tenant: DemoTenant, parsed: dict[str, list[Any]]
) -> None:
    stored = _messages(parsed)
    for ev in _evidence(tenant.alerts, "analyzedMessageEvidence"):
        if "Phish" not in ev["threats"] and "Malware" not in ev["threats"]:
            continue
        auth = stored[ev["networkMessageId"]].authentication
        assert auth.dmarc is not None
        assert auth.dmarc.value in {"fail", "none"}
        assert auth.compauth is not None
        assert auth.compauth.value == "fail"


def test_everyday_mail_is_a_baseline_of_known_senders(parsed: dict[str, list[Any]]) -> None:
    messages = parsed["messages"]
    by_direction = Counter(m.direction.value for m in messages)
    assert by_direction["intraorg"] > 1_000
    assert by_direction["inbound"] > 1_000
    assert by_direction["outbound"] > 300
    senders = Counter(m.sender_from_address for m in messages)
    assert sum(1 for count in senders.values() if count >= 10) >= 30
    # A newsletter: one template, many copies, the same body fingerprint.
    newsletter = [m for m in messages if m.sender_from_address.startswith("newsletter@news")]
    assert len(newsletter) > 100
    fingerprints = Counter(m.body_fingerprint for m in newsletter)
    assert fingerprints.most_common(1)[0][1] > len(newsletter) * 0.9
    # A message to several colleagues: one Internet message id, a copy per recipient.
    copies = Counter(m.internet_message_id for m in messages if m.direction.value == "intraorg")
    assert Counter(copies.values())[300] >= 4  # the weekly all-staff mail
    assert sum(1 for n in copies.values() if 2 <= n <= 4) > 100


def test_addresses_and_urls_use_reserved_names(parsed: dict[str, list[Any]]) -> None:
    addresses = [m.sender_from_address for m in parsed["messages"]]
    addresses += [r for m in parsed["messages"] for r in m.recipients]
    addresses += [s.user for s in parsed["signIns"]]
    assert all(a.endswith(RESERVED_SUFFIXES) for a in addresses)
    urls = [u.url for m in parsed["messages"] for u in m.urls] + [
        c.url for c in parsed["urlClicks"]
    ]
    for url in urls:
        host = re.match(r"https?://([^/:?]+)", url)
        assert host is not None, url
        assert host.group(1).endswith(RESERVED_SUFFIXES), url
    ips = [m.sender_ip for m in parsed["messages"]] + [s.ip for s in parsed["signIns"]]
    for raw in filter(None, ips):
        address = ipaddress.ip_address(raw)
        assert any(address in net for net in ALLOWED_NETWORKS if net.version == address.version)


def test_clicks_come_from_stored_messages_and_match_click_alerts(
    tenant: DemoTenant, parsed: dict[str, list[Any]]
) -> None:
    stored = _messages(parsed)
    clicks = parsed["urlClicks"]
    for click in clicks:
        if click.network_message_id:
            message = stored[click.network_message_id]
            assert click.user in message.recipients
            assert click.url in {u.url for u in message.urls}
    clicked = {(c.user, c.url) for c in clicks}
    alerts = [a for a in tenant.alerts if a["title"].startswith("A potentially malicious URL")]
    assert alerts
    for alert in alerts:
        (message,) = _evidence([alert], "analyzedMessageEvidence")
        (url,) = _evidence([alert], "urlEvidence")
        assert (message["recipientEmailAddress"].lower(), url["url"]) in clicked
    assert Counter(c.action.value for c in clicks)["blockPage"] >= 1


def test_every_process_evidence_has_its_event(
    tenant: DemoTenant, parsed: dict[str, list[Any]]
) -> None:
    events = {
        (e.device_id, e.process.process_id, e.time): e
        for e in parsed["endpointEvents"]
        if e.process is not None and e.kind.value == "process"
    }
    parents = {(device, pid) for device, pid, _ in events}
    processes = _evidence(tenant.alerts, "processEvidence")
    assert len(processes) > 500
    for ev in processes:
        created = datetime.fromisoformat(ev["processCreationDateTime"])
        event = events[(ev["mdeDeviceId"], ev["processId"], created)]
        assert event.process is not None
        assert event.process.command_line == ev["processCommandLine"]
        assert event.process.parent_process_id == ev["parentProcessId"]
        assert event.process.file_name == ev["imageFile"]["fileName"]
        if ev["imageFile"]["sha256"]:
            assert event.process.sha256 == ev["imageFile"]["sha256"]
        if ev["parentProcessImageFile"]:
            assert event.process.parent_file_name == ev["parentProcessImageFile"]["fileName"]
        elif ev["imageFile"]["fileName"] != "systemd":  # the top: its parent was reported too
            assert (ev["mdeDeviceId"], ev["parentProcessId"]) in parents


def test_every_scenario_device_reports_process_events(parsed: dict[str, list[Any]]) -> None:
    reporting = {e.device_id for e in parsed["endpointEvents"]}
    scenarios = generate_demo_scenarios(seed=SEED, now=NOW)
    devices = {ev["mdeDeviceId"] for s in scenarios for ev in _evidence(s.alerts, "deviceEvidence")}
    assert len(devices) >= 8
    assert devices <= reporting


def test_prevalence_separates_common_programs_from_the_malware(
    tenant: DemoTenant, parsed: dict[str, list[Any]]
) -> None:
    devices_by_hash: dict[str, set[str]] = defaultdict(set)
    for event in parsed["endpointEvents"]:
        if event.sha256:
            devices_by_hash[event.sha256].add(event.device_id)
    fleet = {e.device_id for e in parsed["endpointEvents"]}
    assert len(fleet) > len(tenant.devices) * 0.8
    common = sorted((len(d) for d in devices_by_hash.values()), reverse=True)
    assert common[0] > len(fleet) * 0.6  # Teams, OneDrive: everywhere
    scenario = next(
        s for s in generate_demo_scenarios(seed=SEED, now=NOW) if s.name == "ransomware"
    )
    payloads = {
        ev["fileDetails"]["sha256"]
        for ev in _evidence(scenario.alerts, "fileEvidence")
        if ev["fileDetails"]["sha256"]
    }
    assert payloads
    assert all(1 <= len(devices_by_hash[sha]) <= 3 for sha in payloads)


def test_every_user_has_a_sign_in_history_at_home(
    tenant: DemoTenant, parsed: dict[str, list[Any]]
) -> None:
    by_user: dict[str, list[SignIn]] = defaultdict(list)
    for sign_in in parsed["signIns"]:
        by_user[sign_in.user].append(sign_in)
    assert {u.upn for u in tenant.users} <= set(by_user)
    for user in tenant.users:
        countries = Counter(s.location.country for s in by_user[user.upn] if s.success)
        assert countries.most_common(1)[0][0] == user.country
        assert all(s.location.latitude is not None for s in by_user[user.upn])


def _distance(a: SignIn, b: SignIn) -> float:
    lat1, lon1, lat2, lon2 = map(
        math.radians,
        (a.location.latitude or 0, a.location.longitude or 0, b.location.latitude or 0,
         b.location.longitude or 0),
    )  # fmt: skip
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def _scenario_user(name: str, title: str) -> str:
    scenario = next(s for s in generate_demo_scenarios(seed=SEED, now=NOW) if s.name == name)
    alert = next(a for a in scenario.alerts if a["title"] == title)
    (user,) = _evidence([alert], "userEvidence")
    return str(user["userAccount"]["userPrincipalName"])


def test_the_password_spray_victim_fails_a_dozen_times_then_signs_in(
    parsed: dict[str, list[Any]],
) -> None:
    victim = _scenario_user("password-spray", "Unfamiliar sign-in properties")
    history = sorted((s for s in parsed["signIns"] if s.user == victim), key=lambda s: s.time)
    failures = [s for s in history if not s.success and s.error_code == 50126]
    burst = [s for s in failures if s.ip == failures[-1].ip]
    assert len(burst) >= 10
    assert burst[-1].time - burst[0].time <= timedelta(hours=1)
    success = next(s for s in history if s.success and s.time > burst[-1].time)
    assert success.ip == burst[-1].ip
    assert success.time - burst[-1].time <= timedelta(hours=1)
    assert success.location.country != history[0].location.country


def test_the_phished_user_travels_impossibly_fast(parsed: dict[str, list[Any]]) -> None:
    victim = _scenario_user("phishing-to-compromise", "Impossible travel activity")
    successes = sorted(
        (s for s in parsed["signIns"] if s.user == victim and s.success), key=lambda s: s.time
    )
    speeds = [
        _distance(a, b) / max((b.time - a.time).total_seconds() / 3600, 1 / 60)
        for a, b in itertools.pairwise(successes)
        if _distance(a, b) > 500
    ]
    assert max(speeds) > 900


def test_nobody_else_travels_impossibly_fast(
    tenant: DemoTenant, parsed: dict[str, list[Any]]
) -> None:
    # Everyday trips leave a day between the two places; only alerts' stories break physics.
    flagged = {
        ev["userAccount"]["userPrincipalName"]
        for alert in tenant.alerts
        for ev in _evidence([alert], "userEvidence")
    }
    by_user: dict[str, list[SignIn]] = defaultdict(list)
    for sign_in in parsed["signIns"]:
        if sign_in.success:
            by_user[sign_in.user].append(sign_in)
    for user, history in by_user.items():
        if user in flagged:
            continue
        history.sort(key=lambda s: s.time)
        for a, b in itertools.pairwise(history):
            km = _distance(a, b)
            hours = max((b.time - a.time).total_seconds() / 3600, 1 / 60)
            assert km < 500 or km / hours < 900, (user, a, b)
