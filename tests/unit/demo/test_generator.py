"""Tests for the seeded demo tenant generator."""

from __future__ import annotations

import ast
import ipaddress
import json
import random
import re
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from autoir.demo import DemoDevice, DemoTenant, DemoUser, generate_demo_tenant
from autoir.demo.generator import generate_demo_scenarios

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SEED = 7
DAYS = 30

SERVICE_SOURCES = {
    "microsoftDefenderForEndpoint", "microsoftDefenderForOffice365",
    "microsoftDefenderForIdentity", "microsoftDefenderForCloudApps", "azureAdIdentityProtection",
    "microsoftAppGovernance", "dataLossPrevention", "microsoft365Defender",
}  # fmt: skip
DETECTION_SOURCES = {
    "microsoftDefenderForEndpoint", "antivirus", "smartScreen", "customTi",
    "microsoftDefenderForOffice365", "automatedInvestigation", "microsoftThreatExperts",
    "customDetection", "microsoftDefenderForIdentity", "cloudAppSecurity", "microsoft365Defender",
    "azureAdIdentityProtection", "microsoftDataLossPrevention", "appGovernancePolicy",
    "appGovernanceDetection",
}  # fmt: skip
SEVERITIES = {"informational", "low", "medium", "high"}
STATUSES = {"new", "inProgress", "resolved"}
DETERMINATIONS = {
    "truePositive": {"multiStagedAttack", "maliciousUserActivity", "compromisedAccount", "malware",
                     "phishing", "unwantedSoftware", "other"},
    "informationalExpectedActivity": {"securityTesting", "lineOfBusinessApplication",
                                      "confirmedActivity", "other"},
    "falsePositive": {"notMalicious", "notEnoughDataToValidate", "other"},
}  # fmt: skip
EVIDENCE_TYPES = {
    "deviceEvidence", "fileEvidence", "processEvidence", "userEvidence", "mailboxEvidence",
    "analyzedMessageEvidence", "mailClusterEvidence", "urlEvidence", "ipEvidence",
    "registryKeyEvidence", "registryValueEvidence", "cloudApplicationEvidence",
    "oauthApplicationEvidence",
}  # fmt: skip
ROLES = {
    "contextual", "scanned", "source", "destination", "created", "added", "compromised", "edited",
    "attacked", "attacker", "commandAndControl", "loaded", "suspicious", "policyViolator",
}  # fmt: skip
VERDICTS = {"unknown", "suspicious", "malicious", "noThreatsFound"}
REMEDIATION = {"none", "remediated", "prevented", "blocked", "notFound"}
RESERVED_SUFFIXES = (".example", ".test", ".invalid")
DOCUMENTATION_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
INTERNAL_NETWORK = ipaddress.ip_network("10.0.0.0/8")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]+)")


@pytest.fixture(scope="module")
def tenant() -> DemoTenant:
    return generate_demo_tenant(seed=SEED, now=NOW)


def _time(value: object) -> datetime:
    assert isinstance(value, str)
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value)


def _evidence(alert: dict[str, Any]) -> list[dict[str, Any]]:
    evidence = alert["evidence"]
    assert isinstance(evidence, list)
    return evidence


def _strings(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _is_public(address: str) -> bool:
    return ipaddress.ip_address(address) not in INTERNAL_NETWORK


def strong_entities(alert: dict[str, Any]) -> set[tuple[str, str]]:
    """The entities a correlator links alerts on (devices, users, mailboxes, hashes, ...)."""
    out: set[tuple[str, str]] = set()
    for ev in _evidence(alert):
        kind = ev["@odata.type"].rsplit(".", 1)[1]
        if ev.get("mdeDeviceId"):
            out.add(("device", ev["mdeDeviceId"]))
        account = ev.get("userAccount")
        if isinstance(account, dict) and account.get("userPrincipalName"):
            out.add(("user", account["userPrincipalName"].lower()))
        for details in (ev.get("fileDetails"), ev.get("imageFile")):
            if isinstance(details, dict) and details.get("sha256"):
                out.add(("sha256", details["sha256"]))
        if kind == "mailboxEvidence":
            out.add(("mailbox", ev["primaryAddress"].lower()))
        elif kind == "analyzedMessageEvidence":
            out.add(("networkMessageId", ev["networkMessageId"]))
            out.add(("mailbox", ev["recipientEmailAddress"].lower()))
            out.update(("url", url) for url in ev["urls"])
        elif kind == "mailClusterEvidence":
            out.update(("networkMessageId", m) for m in ev["networkMessageIds"])
        elif kind == "urlEvidence":
            out.add(("url", ev["url"]))
        elif kind == "ipEvidence" and _is_public(ev["ipAddress"]):
            out.add(("ip", ev["ipAddress"]))
        elif kind == "oauthApplicationEvidence":
            out.add(("oauthApp", ev["appId"]))
    return out


def _connected(sets: list[set[tuple[str, str]]]) -> bool:
    reached, stack = {0}, [0]
    while stack:
        current = stack.pop()
        for other, entities in enumerate(sets):
            if other not in reached and entities & sets[current]:
                reached.add(other)
                stack.append(other)
    return len(reached) == len(sets)


def test_generate_demo_tenant_is_deterministic_for_a_seed(tenant: DemoTenant) -> None:
    assert generate_demo_tenant(seed=SEED, now=NOW) == tenant


def test_generate_demo_tenant_differs_between_seeds(tenant: DemoTenant) -> None:
    other = generate_demo_tenant(seed=SEED + 1, now=NOW)
    assert other != tenant
    assert other.users != tenant.users
    assert other.alerts != tenant.alerts


def test_generate_demo_tenant_leaves_the_global_random_state_alone() -> None:
    random.seed(1234)
    state = random.getstate()
    generate_demo_tenant(seed=1, now=NOW, days=2)
    assert random.getstate() == state


def test_generate_demo_tenant_is_fast() -> None:
    # CPU time, not wall time: the machine may be busy with other tests. About one second.
    started = time.process_time()
    generate_demo_tenant(seed=99, now=NOW)
    assert time.process_time() - started < 3.0


def test_alerts_are_sorted_and_inside_the_time_window(tenant: DemoTenant) -> None:
    start = NOW - timedelta(days=DAYS)
    created = [_time(a["createdDateTime"]) for a in tenant.alerts]
    assert created == sorted(created)
    assert all(start <= moment <= NOW for moment in created)
    for alert in tenant.alerts:
        first, last = _time(alert["firstActivityDateTime"]), _time(alert["lastActivityDateTime"])
        assert start <= first <= last <= _time(alert["createdDateTime"])
        assert _time(alert["lastUpdateDateTime"]) <= NOW
        if "resolvedDateTime" in alert:
            assert _time(alert["createdDateTime"]) <= _time(alert["resolvedDateTime"]) <= NOW


def test_directory_and_alert_counts_are_in_range(tenant: DemoTenant) -> None:
    assert tenant.domain == "fabrikam.example"
    assert len(tenant.users) == 300
    assert len(tenant.devices) == 250
    assert 1_500 <= len(tenant.alerts) <= 3_000
    assert len({u.upn for u in tenant.users}) == 300
    assert len({d.device_id for d in tenant.devices}) == 250
    assert len({d.dns_name for d in tenant.devices}) == 250
    assert all(isinstance(u, DemoUser) for u in tenant.users)
    assert all(isinstance(d, DemoDevice) for d in tenant.devices)


def test_directory_is_realistic(tenant: DemoTenant) -> None:
    assert 2 <= sum(u.is_admin for u in tenant.users) <= 30
    assert len({u.department for u in tenant.users}) >= 8
    assert len({u.country for u in tenant.users}) >= 6
    assert all(u.upn.endswith("@fabrikam.example") for u in tenant.users)
    assert all(GUID.match(u.azure_ad_user_id) for u in tenant.users)
    assert all(u.user_sid.startswith("S-1-5-21-") for u in tenant.users)
    assert all(re.fullmatch(r"[0-9a-f]{40}", d.device_id) for d in tenant.devices)
    platforms = {d.os_platform for d in tenant.devices}
    assert {"Linux", "macOS"} <= platforms
    assert platforms & {"Windows10", "Windows11"}
    owned = [d for d in tenant.devices if d.owner_upn is not None]
    assert len(owned) > len(tenant.devices) * 0.6
    upns = {u.upn for u in tenant.users}
    assert all(d.owner_upn in upns for d in owned)
    for device in tenant.devices:
        assert device.ip_addresses
        assert all(ipaddress.ip_address(ip) in INTERNAL_NETWORK for ip in device.ip_addresses)


def test_background_volume_follows_a_daily_and_weekly_rhythm(tenant: DemoTenant) -> None:
    by_hour: dict[int, int] = defaultdict(int)
    by_weekday: dict[int, int] = defaultdict(int)
    for alert in tenant.alerts:
        moment = _time(alert["createdDateTime"])
        by_hour[moment.hour] += 1
        by_weekday[moment.weekday()] += 1
    assert by_hour[14] > 2 * by_hour[3]
    weekday_mean = sum(by_weekday[d] for d in range(5)) / 5
    weekend_mean = (by_weekday[5] + by_weekday[6]) / 2
    assert weekend_mean < 0.8 * weekday_mean
    severities = defaultdict(int)
    for alert in tenant.alerts:
        severities[alert["severity"]] += 1
    assert severities["informational"] + severities["low"] > 3 * severities["high"]


def test_every_alert_has_valid_core_properties(tenant: DemoTenant) -> None:
    for alert in tenant.alerts:
        assert isinstance(alert["title"], str)
        assert alert["title"].strip()
        assert alert["serviceSource"] in SERVICE_SOURCES
        assert alert["detectionSource"] in DETECTION_SOURCES
        assert alert["severity"] in SEVERITIES
        assert alert["status"] in STATUSES
        assert isinstance(alert["category"], str)
        assert GUID.match(alert["detectorId"])
        assert alert["mitreTechniques"]
        assert all(re.fullmatch(r"T\d{4}(\.\d{3})?", t) for t in alert["mitreTechniques"])
        assert alert["assignedTo"] is None or alert["assignedTo"].endswith("@fabrikam.example")
        assert _evidence(alert)


def test_a_detector_id_always_means_the_same_alert_type(tenant: DemoTenant) -> None:
    types: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for alert in tenant.alerts:
        types[alert["detectorId"]].add(
            (alert["serviceSource"], alert["category"], alert["severity"])
        )
    assert all(len(kinds) == 1 for kinds in types.values())
    assert len(types) >= 40


def test_email_alerts_use_the_defender_for_office_365_policy_titles(tenant: DemoTenant) -> None:
    titles = {a["title"] for a in tenant.alerts}
    for title in (
        "Email reported by user as malware or phish",
        "A potentially malicious URL click was detected",
        "Email messages containing malicious URL removed after delivery",
        "Email messages containing malware removed after delivery",
        "Email messages containing phish URLs are removed after delivery",
        "Email messages containing malicious file removed after delivery",
        "Suspicious email sending patterns detected",
        "User restricted from sending email",
        "Ransomware behavior detected in the file system",
        "Reverse shell spawned from web server process",
        "Password spray attack",
    ):
        assert title in titles


def test_no_alert_sets_id_or_incident_id(tenant: DemoTenant) -> None:
    for alert in tenant.alerts:
        assert "id" not in alert
        assert "incidentId" not in alert


def test_alerts_are_json_serialisable(tenant: DemoTenant) -> None:
    text = json.dumps(list(tenant.alerts))
    # A round trip only gives back equal values when everything is a JSON type (no tuples).
    assert json.loads(text) == list(tenant.alerts)


def test_every_evidence_has_a_known_type_and_the_common_properties(tenant: DemoTenant) -> None:
    for alert in tenant.alerts:
        for ev in _evidence(alert):
            prefix, _, kind = ev["@odata.type"].rpartition(".")
            assert prefix == "#microsoft.graph.security"
            assert kind in EVIDENCE_TYPES
            _time(ev["createdDateTime"])
            assert ev["verdict"] in VERDICTS
            assert ev["remediationStatus"] in REMEDIATION
            assert set(ev["roles"]) <= ROLES
            assert isinstance(ev["detailedRoles"], list)
            assert ev["tags"] == []


def test_device_and_file_evidence_are_well_formed(tenant: DemoTenant) -> None:
    device_ids = {d.device_id for d in tenant.devices}
    for alert in tenant.alerts:
        for ev in _evidence(alert):
            if ev.get("mdeDeviceId") is not None:
                assert ev["mdeDeviceId"] in device_ids
            if ev["@odata.type"].endswith("deviceEvidence"):
                assert ev["onboardingStatus"] == "onboarded"
                assert ev["osBuild"] is None or isinstance(ev["osBuild"], int)
            for details in (ev.get("fileDetails"), ev.get("imageFile")):
                if isinstance(details, dict):
                    assert re.fullmatch(r"[0-9a-f]{40}", details["sha1"])
                    assert re.fullmatch(r"[0-9a-f]{32}", details["md5"])
                    assert details["sha256"] is None or re.fullmatch(
                        r"[0-9a-f]{64}", details["sha256"]
                    )


def test_process_evidence_forms_trees(tenant: DemoTenant) -> None:
    deep_trees = 0
    for alert in tenant.alerts:
        processes = [e for e in _evidence(alert) if e["@odata.type"].endswith("processEvidence")]
        by_pid = {p["processId"]: p for p in processes}
        assert len(by_pid) == len(processes)
        depth = 0
        for process in processes:
            parent = by_pid.get(process["parentProcessId"])
            if parent is not None:
                assert process["parentProcessImageFile"] == parent["imageFile"]
                assert process["parentProcessCreationDateTime"] == parent["processCreationDateTime"]
                depth += 1
        deep_trees += depth >= 2
    assert deep_trees >= 20


def test_classification_and_determination_are_consistent(tenant: DemoTenant) -> None:
    classified = 0
    for alert in tenant.alerts:
        if "classification" in alert:
            classified += 1
            assert alert["status"] == "resolved"
            assert alert["determination"] in DETERMINATIONS[alert["classification"]]
        else:
            assert "determination" not in alert
        assert ("resolvedDateTime" in alert) == (alert["status"] == "resolved")
    assert classified > 100


def test_provider_alert_ids_are_mostly_present_and_unique(tenant: DemoTenant) -> None:
    ids = [a["providerAlertId"] for a in tenant.alerts if "providerAlertId" in a]
    assert len(ids) == len(set(ids))
    assert 0.8 <= len(ids) / len(tenant.alerts) <= 0.95


def test_a_few_alerts_without_provider_id_repeat_exactly(tenant: DemoTenant) -> None:
    def identity(alert: dict[str, Any]) -> str:
        return json.dumps([alert["detectorId"], alert["title"], alert["evidence"]])

    seen: dict[str, list[datetime]] = defaultdict(list)
    for alert in tenant.alerts:
        if "providerAlertId" not in alert:
            seen[identity(alert)].append(_time(alert["createdDateTime"]))
    repeats = [
        times
        for times in seen.values()
        if len(times) > 1 and max(times) - min(times) <= timedelta(hours=6)
    ]
    assert 3 <= len(repeats) <= 60


def test_email_addresses_and_urls_use_reserved_domains(tenant: DemoTenant) -> None:
    found = 0
    for alert in tenant.alerts:
        for text in _strings(alert):
            for domain in EMAIL.findall(text):
                found += 1
                assert domain.lower().endswith(RESERVED_SUFFIXES), text
            for host in re.findall(r"https?://([^/:?\s]+)", text):
                if host[0].isdigit():
                    address = ipaddress.ip_address(host)
                    assert address in INTERNAL_NETWORK or any(
                        address in net for net in DOCUMENTATION_NETWORKS
                    ), text
                else:
                    assert host.endswith(RESERVED_SUFFIXES), text
    assert found > 1_000


def test_ip_addresses_are_internal_or_from_documentation_ranges(tenant: DemoTenant) -> None:
    for alert in tenant.alerts:
        for ev in _evidence(alert):
            addresses = [ev.get("ipAddress"), ev.get("senderIp"), *ev.get("ipInterfaces", [])]
            for raw in filter(None, addresses):
                address = ipaddress.ip_address(raw)
                assert address in INTERNAL_NETWORK or any(
                    address in net for net in DOCUMENTATION_NETWORKS
                ), raw


def test_at_least_eight_groups_of_alerts_share_a_strong_entity(tenant: DemoTenant) -> None:
    by_entity: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, alert in enumerate(tenant.alerts):
        for entity in strong_entities(alert):
            by_entity[entity].append(index)
    groups = set()
    for indexes in by_entity.values():
        alerts = [tenant.alerts[i] for i in indexes]
        times = [_time(a["createdDateTime"]) for a in alerts]
        detectors = {a["detectorId"] for a in alerts}
        within_days = max(times) - min(times) <= timedelta(days=4)
        if len(indexes) >= 3 and len(detectors) >= 2 and within_days:
            groups.add(frozenset(indexes))
    assert len(groups) >= 8


def test_scenarios_are_joined_by_strong_entities(tenant: DemoTenant) -> None:
    scenarios = generate_demo_scenarios(seed=SEED, now=NOW)
    assert len(scenarios) >= 8
    assert len({s.name for s in scenarios}) == len(scenarios)
    alerts = {json.dumps(a, sort_keys=True) for a in tenant.alerts}
    for scenario in scenarios:
        assert len(scenario.alerts) >= 3, scenario.name
        assert all(json.dumps(a, sort_keys=True) in alerts for a in scenario.alerts)
        assert _connected([strong_entities(a) for a in scenario.alerts]), scenario.name
        assert len({a["detectorId"] for a in scenario.alerts}) >= 3


def test_ransomware_shares_one_file_hash_across_devices() -> None:
    scenario = next(
        s for s in generate_demo_scenarios(seed=SEED, now=NOW) if s.name == "ransomware"
    )
    devices_by_hash: dict[str, set[str]] = defaultdict(set)
    for alert in scenario.alerts:
        for ev in _evidence(alert):
            details = ev.get("fileDetails")
            if isinstance(details, dict) and details.get("sha256") and ev.get("mdeDeviceId"):
                devices_by_hash[details["sha256"]].add(ev["mdeDeviceId"])
    assert max(len(devices) for devices in devices_by_hash.values()) >= 3


def test_recent_scenarios_are_mostly_new_and_old_ones_partly_resolved() -> None:
    recent, resolved = [], []
    for scenario in generate_demo_scenarios(seed=SEED, now=NOW):
        ages = [NOW - _time(a["createdDateTime"]) for a in scenario.alerts]
        if max(ages) < timedelta(days=3):
            recent.extend(scenario.alerts)
        resolved.extend(a for a in scenario.alerts if a["status"] == "resolved")
    assert recent
    assert sum(a["status"] == "new" for a in recent) > len(recent) / 2
    assert resolved
    assert all(a.get("classification") in DETERMINATIONS for a in resolved)
    assert any(a.get("classification") == "truePositive" for a in resolved)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_small_tenants_still_get_every_scenario(seed: int) -> None:
    tenant = generate_demo_tenant(seed=seed, now=NOW, days=2, user_count=20, device_count=20)
    start = NOW - timedelta(days=2)
    assert all(start <= _time(a["createdDateTime"]) <= NOW for a in tenant.alerts)
    scenarios = generate_demo_scenarios(seed=seed, now=NOW, days=2, user_count=20, device_count=20)
    assert len(scenarios) >= 8
    assert all(_connected([strong_entities(a) for a in s.alerts]) for s in scenarios)


def test_naive_now_is_taken_as_utc(tenant: DemoTenant) -> None:
    assert generate_demo_tenant(seed=SEED, now=NOW.replace(tzinfo=None)) == tenant


@pytest.mark.parametrize("arguments", [{"days": 0}, {"user_count": 5}, {"device_count": 3}])
def test_generate_demo_tenant_rejects_impossible_sizes(arguments: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        generate_demo_tenant(seed=1, now=NOW, **arguments)


def test_alerts_are_accepted_by_the_ingest_parser(tenant: DemoTenant) -> None:
    draft = pytest.importorskip("autoir.domain.alerts.draft")
    errors: list[Any] = []
    for index, alert in enumerate(tenant.alerts):
        draft.parse_alert(alert, f"value[{index}]", NOW, errors)
    assert errors == []


def test_the_demo_package_imports_only_the_standard_library() -> None:
    package = Path(__file__).resolve().parents[3] / "src" / "autoir" / "demo"
    modules = sorted(package.glob("*.py"))
    assert modules
    assert not (package / "utils.py").exists()
    for module in modules:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), module.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith("autoir.demo"), (
                    f"{module.name} imports {name}"
                )
