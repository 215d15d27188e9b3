"""Suppression rules: JSON parsing, matching (operators, groups, roles, scope), the index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from autoir.domain.alerts.enums import DetectionSource, ServiceSource
from autoir.domain.errors import ValidationFailed
from autoir.domain.suppression.matching import (
    AlertSubject,
    RuleIndex,
    compile_rule,
    conditions_from_alert,
    is_custom_detection,
    wildcard_pattern,
)
from autoir.domain.suppression.properties import EvidenceType, evidence_facts, is_triggering
from autoir.domain.suppression.rule import ConditionOperator, ConditionRole, SuppressionAction
from autoir.domain.suppression.rule_json import parse_rule

NOW = datetime(2026, 12, 1, tzinfo=UTC)
MDE = "microsoftDefenderForEndpoint"
ODATA = "#microsoft.graph.security."


def _rule(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Backup agent",
        "comment": None,
        "enabled": True,
        "serviceSources": [MDE],
        "alertScope": {"kind": "thisAlertType", "detectorId": "det-1"},
        "conditions": None,
        "scope": {"kind": "organization"},
        "action": "hide",
        "expiresDateTime": None,
    }
    body.update(overrides)
    return body


def _cond(
    kind: str, prop: str, value: Any, op: str = "equals", role: str = "any"
) -> dict[str, Any]:
    return {"evidenceType": kind, "role": role, "property": prop, "operator": op, "value": value}


def _process(
    name: str = "backup.exe",
    cmd: str = "backup.exe /full",
    parent: str = "services.exe",
    roles: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "@odata.type": ODATA + "processEvidence",
        "roles": roles if roles is not None else ["suspicious"],
        "verdict": "suspicious",
        "imageFile": {
            "fileName": name,
            "filePath": "C:\\Program Files\\Backup",
            "sha256": "ab" * 32,
        },
        "processCommandLine": cmd,
        "parentProcessImageFile": {"fileName": parent},
        "parentProcessCommandLine": f"{parent} -k",
        "mdeDeviceId": "dev-1",
    }


def _file(
    name: str = "evil.exe", sha256: str = "f" * 64, roles: list[str] | None = None
) -> dict[str, Any]:
    return {
        "@odata.type": ODATA + "fileEvidence",
        "roles": roles if roles is not None else ["contextual"],
        "fileDetails": {"fileName": name, "sha256": sha256, "filePath": "C:\\Temp"},
    }


def _subject(
    evidence: list[dict[str, Any]], detector: str | None = "det-1", **kw: Any
) -> AlertSubject:
    return AlertSubject(
        kw.get("service", ServiceSource.MICROSOFT_DEFENDER_FOR_ENDPOINT),
        kw.get("detection", DetectionSource.MICROSOFT_DEFENDER_FOR_ENDPOINT),
        detector,
        evidence,
    )


def _matches(body: dict[str, Any], evidence: list[dict[str, Any]], **kw: Any) -> bool:
    return compile_rule("r1", parse_rule(body)).matches(_subject(evidence, **kw))


def _targets(body: object) -> set[str]:
    with pytest.raises(ValidationFailed) as info:
        parse_rule(body)
    return {e.target for e in info.value.errors}


# --- parsing ---------------------------------------------------------------------------------


def test_parse_rule_round_trips_the_issue_7_shape() -> None:
    body = _rule(
        alertScope={"kind": "anyAlertType"},
        conditions={
            "op": "and",
            "items": [
                _cond("file", "sha256", "F" * 64, role="triggering"),
                {"op": "or", "items": [_cond("ip", "ipAddress", ["1.2.3.4", "5.6.7.8"], "in")]},
            ],
        },
        scope={"kind": "devices", "deviceIds": ["DEV-1"]},
        action="resolve",
        expiresDateTime="2026-12-08T00:00:00Z",
    )
    rule = parse_rule(body)
    assert rule.action is SuppressionAction.RESOLVE
    assert rule.scope.values == ("dev-1",)
    again = parse_rule(rule.to_json())
    assert again == rule
    assert rule.to_json()["conditions"]["items"][1]["items"][0]["value"] == ["1.2.3.4", "5.6.7.8"]
    assert rule.to_json()["expiresDateTime"] == "2026-12-08T00:00:00.000000Z"


def test_parse_rule_names_every_bad_field() -> None:
    targets = _targets(
        {
            "name": "",
            "enabled": "yes",
            "serviceSources": ["nope"],
            "alertScope": {"kind": "sometimes"},
            "scope": {"kind": "users"},
            "action": "delete",
            "expiresDateTime": "tomorrow",
            "colour": "red",
        }
    )
    assert targets == {
        "name",
        "enabled",
        "serviceSources[0]",
        "alertScope.kind",
        "scope.userPrincipalNames",
        "action",
        "expiresDateTime",
        "colour",
    }


def test_parse_rule_checks_conditions_field_by_field() -> None:
    targets = _targets(
        _rule(
            conditions={
                "op": "xor",
                "items": [
                    _cond("printer", "name", "x"),
                    _cond("file", "colour", "x"),
                    _cond("file", "sha256", "x", op="like"),
                    _cond("file", "sha256", "x", role="boss"),
                    _cond("file", "sha256", "x", op="in"),
                    _cond("file", "sha256", "*", op="wildcard"),
                    {"op": "and", "items": []},
                ],
            }
        )
    )
    assert targets == {
        "conditions.op",
        "conditions.items[0].evidenceType",
        "conditions.items[1].property",
        "conditions.items[2].operator",
        "conditions.items[3].role",
        "conditions.items[4].value",
        "conditions.items[5].value",
        "conditions.items[6].items",
    }


def test_any_ioc_is_only_for_this_alert_type() -> None:
    assert _targets(_rule(alertScope={"kind": "anyAlertType"})) == {"conditions"}
    assert parse_rule(_rule()).conditions is None


def test_parse_rule_ignores_read_only_keys_and_defaults_role() -> None:
    body = _rule(
        id="x",
        matchCount=3,
        conditions={
            "op": "and",
            "items": [
                {"evidenceType": "FILE", "property": "SHA256", "operator": "Equals", "value": "a"}
            ],
        },
    )
    rule = parse_rule(body)
    assert rule.conditions is not None
    condition = rule.conditions.conditions()[0]
    assert (condition.evidence_type, condition.property, condition.role, condition.operator) == (
        EvidenceType.FILE,
        "sha256",
        ConditionRole.ANY,
        ConditionOperator.EQUALS,
    )


def test_parse_rule_limits_nesting() -> None:
    group: dict[str, Any] = {"op": "and", "items": [_cond("file", "sha256", "a")]}
    for _ in range(6):
        group = {"op": "and", "items": [group]}
    assert any("nest" in t or t.startswith("conditions") for t in _targets(_rule(conditions=group)))


# --- matching --------------------------------------------------------------------------------


def _any(*items: dict[str, Any], op: str = "and") -> dict[str, Any]:
    return _rule(alertScope={"kind": "anyAlertType"}, conditions={"op": op, "items": list(items)})


def test_equals_ignores_case() -> None:
    assert _matches(_any(_cond("process", "fileName", "BACKUP.EXE")), [_process()])
    assert not _matches(_any(_cond("process", "fileName", "backup")), [_process()])


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*.exe", "Backup.EXE", True),
        ("back?p.exe", "backup.exe", True),
        ("back?p.exe", "backuup.exe", False),
        ("C:\\Program Files\\*", "c:\\program files\\backup", True),
        ("[a].exe", "[A].exe", True),  # brackets are literal, not a character class
        ("[a].exe", "a.exe", False),
        ("*backup*", "xxbackupxx", True),
        ("backup", "backup.exe", False),  # whole value, not a substring
        ("a.b", "axb", False),  # dots are literal
    ],
)
def test_wildcard_matching(pattern: str, value: str, expected: bool) -> None:
    assert bool(wildcard_pattern(pattern).fullmatch(value.lower())) is expected


def test_in_list_and_parent_process() -> None:
    rule = _any(_cond("process", "parentFileName", ["explorer.exe", "SERVICES.EXE"], "in"))
    assert _matches(rule, [_process()])
    assert _matches(
        _any(_cond("process", "parentCommandLine", "services.exe*", "wildcard")), [_process()]
    )
    assert not _matches(rule, [_process(parent="winword.exe")])


def test_nested_and_or_groups() -> None:
    rule = _any(
        _cond("process", "fileName", "backup.exe"),
        {
            "op": "or",
            "items": [_cond("file", "fileName", "a.dll"), _cond("file", "fileName", "evil.exe")],
        },
    )
    assert _matches(rule, [_process(), _file()])
    assert not _matches(rule, [_process(), _file(name="other.dll")])
    assert not _matches(rule, [_file()])


def test_roles_triggering_and_related() -> None:
    trig = _any(_cond("file", "fileName", "evil.exe", role="triggering"))
    rel = _any(_cond("file", "fileName", "evil.exe", role="related"))
    assert not _matches(trig, [_file(roles=["contextual"])])
    assert _matches(rel, [_file(roles=["contextual"])])
    assert _matches(trig, [_file(roles=["created"])])
    assert not _matches(rel, [_file(roles=["created"])])
    assert is_triggering({"detailedRoles": ["Trigger"], "roles": ["contextual"]})
    assert is_triggering({"roles": [], "verdict": "malicious"})
    assert not is_triggering({"roles": [], "verdict": "unknown"})


def test_every_evidence_type_reads_its_properties() -> None:
    facts = evidence_facts(
        [
            {"@odata.type": ODATA + "urlEvidence", "url": "https://Evil.example/x?y"},
            {"@odata.type": ODATA + "ipEvidence", "ipAddress": "203.0.113.9"},
            {
                "@odata.type": ODATA + "userEvidence",
                "userAccount": {"userPrincipalName": "A@x.example"},
            },
            {"@odata.type": ODATA + "mailboxEvidence", "primaryAddress": "b@x.example"},
            {"@odata.type": ODATA + "deviceEvidence", "mdeDeviceId": "DEV", "deviceDnsName": "h.x"},
            {
                "@odata.type": ODATA + "analyzedMessageEvidence",
                "networkMessageId": "nm-1",
                "subject": "Invoice",
                "p2Sender": {"emailAddress": "boss@evil.example"},
                "urls": ["https://evil.example/a"],
            },
            {**_process(), "scheduledTaskName": "\\Updater"},
            {**_process(), "amsiScriptContent": "IEX(...)"},
            {**_process(), "wmiEventConsumer": "Persist"},
        ]
    )
    expected = {
        (EvidenceType.URL, "domain"): "evil.example",
        (EvidenceType.IP, "ipAddress"): "203.0.113.9",
        (EvidenceType.USER, "userPrincipalName"): "a@x.example",
        (EvidenceType.MAILBOX, "primaryAddress"): "b@x.example",
        (EvidenceType.DEVICE, "deviceId"): "dev",
        (EvidenceType.MESSAGE, "senderFromAddress"): "boss@evil.example",
        (EvidenceType.MESSAGE, "url"): "https://evil.example/a",
        (EvidenceType.SCHEDULED_TASK, "taskName"): "\\updater",
        (EvidenceType.AMSI_SCRIPT, "content"): "iex(...)",
        (EvidenceType.WMI_EVENT, "consumer"): "persist",
        (EvidenceType.PROCESS, "parentFileName"): "services.exe",
    }
    for key, value in expected.items():
        assert value in [v for v, _ in facts[key]], key
    # only process evidence carrying scheduledTaskName is a scheduled task
    assert len(facts[(EvidenceType.SCHEDULED_TASK, "fileName")]) == 1


def test_this_alert_type_source_and_scope() -> None:
    assert _matches(_rule(), [_process()])
    assert not _matches(_rule(), [_process()], detector="det-2")
    assert not _matches(
        _rule(), [_process()], service=ServiceSource.MICROSOFT_DEFENDER_FOR_IDENTITY
    )
    device = {
        "@odata.type": ODATA + "deviceEvidence",
        "mdeDeviceId": "dev-9",
        "deviceDnsName": "h9",
    }
    assert _matches(_rule(scope={"kind": "devices", "deviceIds": ["H9"]}), [device])
    assert not _matches(_rule(scope={"kind": "devices", "deviceIds": ["h8"]}), [device])
    user = {
        "@odata.type": ODATA + "userEvidence",
        "userAccount": {"userPrincipalName": "A@x.example"},
    }
    assert _matches(_rule(scope={"kind": "users", "userPrincipalNames": ["a@X.example"]}), [user])
    groups = _rule(scope={"kind": "deviceGroups", "names": ["Servers"]})
    rule = compile_rule("r", parse_rule(groups))
    assert rule.matches(_subject([device]), lambda _ev: "servers")
    assert not rule.matches(_subject([device]), lambda _ev: "Ungrouped devices")


def test_custom_detections_are_never_matched() -> None:
    assert is_custom_detection(DetectionSource.CUSTOM_DETECTION)
    assert is_custom_detection(DetectionSource.UNKNOWN, "ea1234")
    assert not is_custom_detection(DetectionSource.ANTIVIRUS, "da1234")
    assert not _matches(_rule(), [_process()], detection=DetectionSource.CUSTOM_DETECTION)


# --- index -----------------------------------------------------------------------------------


def test_index_selects_a_handful_of_candidates() -> None:
    rules = [
        (f"r{n:05}", parse_rule(_any(_cond("file", "sha256", f"{n:064x}")))) for n in range(2000)
    ]
    rules += [
        (f"t{n:05}", parse_rule(_rule(alertScope={"kind": "thisAlertType", "detectorId": f"d{n}"})))
        for n in range(2000)
    ]
    rules.append(("w00001", parse_rule(_any(_cond("process", "fileName", "*.ps1", "wildcard")))))
    rules.append(
        (
            "o00001",
            parse_rule(
                _any(
                    _cond("ip", "ipAddress", "1.1.1.1"),
                    _cond("url", "domain", "x.example"),
                    op="or",
                )
            ),
        )
    )
    index = RuleIndex.build(rules, NOW)
    subject = _subject([_file(sha256=f"{7:064x}"), _process()], detector="d5")
    found = [r.id for r in index.candidates(subject)]
    assert found == ["r00007", "t00005", "w00001"]
    first = index.first_match(subject)
    assert first is not None
    assert first.id == "r00007"
    url = {"@odata.type": ODATA + "urlEvidence", "url": "http://x.example/"}
    assert [r.id for r in index.candidates(_subject([url], detector=None))] == ["o00001"]


def test_index_skips_disabled_and_expired_rules() -> None:
    rules = [
        ("a", parse_rule(_rule(enabled=False))),
        ("b", parse_rule(_rule(expiresDateTime=(NOW - timedelta(seconds=1)).isoformat()))),
        ("c", parse_rule(_rule(expiresDateTime=(NOW + timedelta(days=1)).isoformat()))),
    ]
    index = RuleIndex.build(rules, NOW)
    assert index.size == 1
    assert index.next_expiry(NOW) == NOW + timedelta(days=1)
    assert RuleIndex.build(rules, NOW + timedelta(days=2)).size == 0


def test_conditions_from_alert_fill_iocs_with_parent_process() -> None:
    group = conditions_from_alert([_process(), _file(), _file()])
    assert group is not None
    got = [
        (c.evidence_type.value, c.property, c.values[0], c.role.value) for c in group.conditions()
    ]
    assert ("process", "parentFileName", "services.exe", "triggering") in got
    assert ("process", "commandLine", "backup.exe /full", "triggering") in got
    assert ("file", "sha256", "f" * 64, "any") in got
    assert len(got) == len(set(got))
    # the filled conditions match the alert they came from
    rule = parse_rule(_rule(alertScope={"kind": "anyAlertType"}, conditions=group.to_json()))
    assert compile_rule("x", rule).matches(_subject([_process(), _file()]))
    assert conditions_from_alert([]) is None
