"""Automation levels, device groups, folder classes and email opt-in (reference §2.6, §2.7, §3.1)."""

# ruff: noqa: S108 - the temporary paths are data under test, never opened

from __future__ import annotations

from typing import Any

import pytest

from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.errors import ValidationFailed
from autoir.domain.investigations.evidence import EvidenceItem
from autoir.domain.remediation.automation import AutomationPolicy, DecisionMode, EmailAutomation
from autoir.domain.remediation.catalog import ActionType, spec_of
from autoir.domain.remediation.device_groups import (
    DEFAULT_GROUP_NAME,
    AutomationLevel,
    DeviceFacts,
    DeviceGroup,
    DeviceGroupRule,
    default_group,
)
from autoir.domain.remediation.folders import FolderClass, classify_folder, file_path_of

L = AutomationLevel
M = DecisionMode
F = FolderClass
V = EvidenceVerdict
CORE, TEMP, OTHER = F.CORE, F.TEMP, F.OTHER

WINDOWS_PATHS = [
    (r"C:\Windows\System32", CORE),
    (r"C:\Windows\System32\drivers\etc", CORE),
    (r"C:\WINDOWS\SysWOW64\rundll32.exe", CORE),
    (r"c:\windows", CORE),
    (r"D:\Windows\explorer.exe", CORE),
    (r"C:/Windows/System32/svchost.exe", CORE),
    (r"%SystemRoot%\System32\WindowsPowerShell\v1.0", CORE),
    (r"%windir%\Tasks", CORE),
    (r"\\?\C:\Windows\System32", CORE),
    (r"\??\C:\Windows\System32\cmd.exe", CORE),
    (r"\Device\HarddiskVolume3\Windows\System32", CORE),
    (r"\\WS-042\c$\Windows\System32", CORE),
    (r"C:\Windows.\System32", CORE),
    (r"C:\Windows\Temp\..\System32", CORE),
    (r"C:\Users\bob\Downloads\..\..\..\Windows\System32", CORE),
    (r'"C:\Windows\System32\cmd.exe"', CORE),
    (r"C:\Windows\Temp", TEMP),
    (r"C:\Windows\Temp\0f3a\payload.exe", TEMP),
    (r"C:\Users\bob\AppData\Local\Temp", TEMP),
    (r"C:\Users\bob.smith\AppData\Local\Temp\7zS4F2\setup.exe", TEMP),
    (r"c:\users\BOB~1\appdata\local\temp", TEMP),
    (r"C:\Users\alice\Downloads", TEMP),
    (r"C:\Users\alice\Downloads\Invoice_2024.pdf.exe", TEMP),
    (r"C:/Users/alice/Downloads/x.iso", TEMP),
    (r"C:\Program Files (x86)\Vendor\app.exe", TEMP),
    (r"%TEMP%\dropper.js", TEMP),
    (r"%ProgramFiles(x86)%\Vendor", TEMP),
    (r"C:\Documents and Settings\bob\Local Settings\Temp", TEMP),
    (r"C:\Documents and Settings\bob\Local Settings\Temporary Internet Files", OTHER),
    (r"C:\Program Files\Microsoft Office\root", OTHER),
    (r"%ProgramFiles%\7-Zip", OTHER),
    (r"C:\ProgramData\Microsoft\Windows Defender", OTHER),
    (r"C:\Users\bob\AppData\Roaming\Microsoft\Windows\Start Menu", OTHER),
    (r"C:\Users\bob\AppData\Local\Microsoft\Teams", OTHER),
    (r"C:\Users\bob\Desktop", OTHER),
    (r"C:\Users\Downloads", OTHER),  # no user segment: not a user's downloads
    (r"C:\Temp\tools", OTHER),
    (r"C:\WindowsApps\x", OTHER),
    (r"C:\$Recycle.Bin\S-1-5-21", OTHER),
    (r"\\fileserver\share\Windows\System32", OTHER),
    (r"System32\cmd.exe", OTHER),
    ("", OTHER),
]

POSIX_PATHS = [
    ("/usr/bin", CORE),
    ("/usr/bin/python3", CORE),
    ("/usr/sbin/sshd", CORE),
    ("/usr/lib/x86_64-linux-gnu", CORE),
    ("/usr/share/doc", CORE),
    ("/bin/bash", CORE),
    ("/sbin", CORE),
    ("/lib/systemd/system", CORE),
    ("/lib64/ld-linux-x86-64.so.2", CORE),
    ("/boot/vmlinuz-6.1.0", CORE),
    ("/etc/cron.d", CORE),
    ("/etc/ssh/sshd_config", CORE),
    ("//usr//bin", CORE),
    ("/tmp/../usr/bin", CORE),
    ("/tmp/./../etc/passwd", CORE),
    ("/System/Library/CoreServices", CORE),
    ("/tmp", TEMP),
    ("/tmp/.X11-unix/kworker", TEMP),
    ("/var/tmp/.cache/xmrig", TEMP),
    ("/dev/shm/.x", TEMP),
    ("/run/user/1000/gvfs", TEMP),
    ("/home/bob/Downloads", TEMP),
    ("/home/bob/Downloads/setup.sh", TEMP),
    ("/root/Downloads/linpeas.sh", TEMP),
    ("/private/tmp/x", TEMP),
    ("/Users/bob/Downloads/x.dmg", TEMP),
    ("/usr/local/bin/node", OTHER),
    ("/usr/local", OTHER),
    ("/opt/app/bin/server", OTHER),
    ("/home/bob/.local/bin", OTHER),
    ("/home/bob/downloads/x", OTHER),  # case-sensitive
    ("/TMP/x", OTHER),
    ("/USR/BIN", OTHER),
    ("/var/www/html/upload", OTHER),
    ("/var/lib/docker", OTHER),
    ("/srv/data", OTHER),
    ("/run/user", OTHER),  # the parent, not one user's runtime folder
    ("/usrlocal/bin", OTHER),
    ("/tmpfiles/x", OTHER),
    ("tmp/x", OTHER),
]


@pytest.mark.parametrize(("path", "expected"), WINDOWS_PATHS)
def test_classify_folder_windows_paths(path: str, expected: FolderClass) -> None:
    assert classify_folder(path) is expected


@pytest.mark.parametrize(("path", "expected"), POSIX_PATHS)
def test_classify_folder_linux_paths(path: str, expected: FolderClass) -> None:
    assert classify_folder(path) is expected


def test_classify_folder_uses_the_platform_hint_only_for_ambiguous_paths() -> None:
    assert classify_folder("/Windows/System32") is OTHER
    assert classify_folder("/Windows/System32", windows=True) is CORE
    assert classify_folder("/usr/bin", windows=True) is OTHER
    assert classify_folder(r"C:\Windows\System32", windows=False) is CORE
    assert classify_folder("/usr/bin", windows=False) is CORE


# --- Devices and groups ------------------------------------------------------------------------

DEVICE_EVIDENCE: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.security.deviceEvidence",
    "mdeDeviceId": "a" * 40,
    "deviceDnsName": "srv-web01.contoso.com",
    "hostName": "srv-web01",
    "osPlatform": "WindowsServer2022",
    "tags": ["Production", "Tier0"],
    "ipInterfaces": ["10.1.2.3", "fe80::1%12", "2001:db8::7"],
    "lastIpAddress": "10.1.2.3",
    "rbacGroupName": "Servers - Windows",
}


def _facts(**changes: Any) -> DeviceFacts:
    return DeviceFacts.from_evidence(DEVICE_EVIDENCE | changes)


def test_device_facts_from_device_evidence() -> None:
    facts = _facts()
    assert facts.device_id == "a" * 40
    assert facts.dns_name == "srv-web01.contoso.com"
    assert facts.os_platform == "WindowsServer2022"
    assert facts.tags == ("Production", "Tier0")
    assert facts.ip_addresses == ("10.1.2.3", "fe80::1%12", "2001:db8::7")
    assert facts.is_windows is True
    assert _facts(osPlatform="Linux").is_windows is False
    assert DeviceFacts().is_windows is None


def test_device_facts_tolerate_missing_and_odd_fields() -> None:
    facts = DeviceFacts.from_evidence(
        {"hostName": "ws-1", "tags": "single", "ipInterfaces": [1, None, " "], "osPlatform": " "}
    )
    assert facts == DeviceFacts(dns_name="ws-1", tags=("single",))
    assert DeviceFacts.from_evidence({"lastIpAddress": "192.0.2.1"}).ip_addresses == ("192.0.2.1",)


@pytest.mark.parametrize(
    ("rule", "matches"),
    [
        (DeviceGroupRule(name_pattern="srv-*"), True),
        (DeviceGroupRule(name_pattern="SRV-WEB01"), True),  # the host label, any case
        (DeviceGroupRule(name_pattern="*.contoso.com"), True),
        (DeviceGroupRule(name_pattern="srv-web0[1-3]"), True),
        (DeviceGroupRule(name_pattern="ws-*"), False),
        (DeviceGroupRule(tag="tier0"), True),
        (DeviceGroupRule(tag="Tier"), False),
        (DeviceGroupRule(os_platform="windows*"), True),
        (DeviceGroupRule(os_platform="WindowsServer2022"), True),
        (DeviceGroupRule(os_platform="Linux"), False),
        (DeviceGroupRule(ip_range="10.1.0.0/16"), True),
        (DeviceGroupRule(ip_range="10.1.2.3/32"), True),
        (DeviceGroupRule(ip_range="2001:db8::/32"), True),
        (DeviceGroupRule(ip_range="fe80::/10"), True),  # the zone index is ignored
        (DeviceGroupRule(ip_range="192.168.0.0/16"), False),
        (DeviceGroupRule(name_pattern="srv-*", tag="Tier0", os_platform="Windows*"), True),
        (DeviceGroupRule(name_pattern="srv-*", tag="Tier1"), False),  # every field must hold
        (DeviceGroupRule(os_platform="Windows*", ip_range="172.16.0.0/12"), False),
    ],
)
def test_device_group_rule_matches_each_kind(rule: DeviceGroupRule, matches: bool) -> None:
    assert rule.matches(_facts()) is matches


def test_rules_with_conditions_do_not_match_devices_without_those_facts() -> None:
    bare = DeviceFacts()
    assert not DeviceGroupRule(name_pattern="*").matches(bare)
    assert not DeviceGroupRule(tag="x").matches(bare)
    assert not DeviceGroupRule(os_platform="*").matches(bare)
    assert not DeviceGroupRule(ip_range="0.0.0.0/0").matches(bare)
    assert not DeviceGroupRule(ip_range="0.0.0.0/0").matches(DeviceFacts(ip_addresses=("x",)))


def test_a_group_matches_when_any_rule_matches() -> None:
    group = DeviceGroup(
        "Mixed",
        1,
        L.FULL,
        (DeviceGroupRule(tag="nope"), DeviceGroupRule(ip_range="10.0.0.0/8")),
    )
    assert group.matches(_facts())
    assert not DeviceGroup("Empty", 2, L.FULL).matches(_facts())


def test_group_for_takes_the_best_rank_that_matches_else_the_default() -> None:
    policy = AutomationPolicy(
        device_groups=(
            DeviceGroup("All Windows", 5, L.FULL, (DeviceGroupRule(os_platform="Windows*"),)),
            DeviceGroup("Tier 0", 2, L.SEMI_ANY_FOLDER, (DeviceGroupRule(tag="Tier0"),)),
            DeviceGroup("Linux", 1, L.SEMI_CORE_FOLDERS, (DeviceGroupRule(os_platform="Linux"),)),
        )
    )
    assert [g.name for g in policy.ranked_groups] == ["Linux", "Tier 0", "All Windows"]
    assert policy.group_for(_facts()).name == "Tier 0"
    assert policy.group_for(_facts(tags=[])).name == "All Windows"
    assert policy.group_for(_facts(osPlatform="Linux")).name == "Linux"
    fallback = policy.group_for(_facts(osPlatform="macOS", tags=[]))
    assert fallback.name == DEFAULT_GROUP_NAME
    assert fallback.is_default
    assert fallback.automation_level is L.FULL


# --- Decisions ---------------------------------------------------------------------------------


def _policy(level: AutomationLevel, email: EmailAutomation | None = None) -> AutomationPolicy:
    return AutomationPolicy(
        device_groups=(DeviceGroup("Servers", 1, level, (DeviceGroupRule(name_pattern="srv-*"),)),),
        email=email or EmailAutomation(),
    )


def _file(path: str | None, verdict: EvidenceVerdict = V.MALICIOUS) -> EvidenceItem:
    details = {"fileName": "x.exe", "filePath": path, "sha256": "0" * 64}
    return EvidenceItem("file", "file:" + "0" * 64, "x.exe", {"fileDetails": details}, verdict)


def _process(path: str, verdict: EvidenceVerdict = V.MALICIOUS) -> EvidenceItem:
    props = {"imageFile": {"fileName": "x.exe", "filePath": path}, "processId": 4242}
    return EvidenceItem("process", "process:4242", "x.exe", props, verdict)


def _device(verdict: EvidenceVerdict = V.MALICIOUS) -> EvidenceItem:
    return EvidenceItem("device", "device:" + "a" * 40, "srv-web01", DEVICE_EVIDENCE, verdict)


QUARANTINE = spec_of(ActionType.STOP_AND_QUARANTINE_FILE)
ISOLATE = spec_of(ActionType.ISOLATE_DEVICE)
FOLDERS = {CORE: r"C:\Windows\System32", TEMP: r"C:\Windows\Temp", OTHER: r"C:\Program Files\X"}

# level → folder class → mode for a malicious file on a device of that level
EXPECTED = {
    L.FULL: {CORE: M.AUTOMATIC, TEMP: M.AUTOMATIC, OTHER: M.AUTOMATIC},
    L.SEMI_ANY_FOLDER: {CORE: M.APPROVAL, TEMP: M.APPROVAL, OTHER: M.APPROVAL},
    L.SEMI_CORE_FOLDERS: {CORE: M.APPROVAL, TEMP: M.AUTOMATIC, OTHER: M.AUTOMATIC},
    L.SEMI_NON_TEMP_FOLDERS: {CORE: M.APPROVAL, TEMP: M.AUTOMATIC, OTHER: M.APPROVAL},
    L.NO_AUTOMATED_RESPONSE: {CORE: M.NONE, TEMP: M.NONE, OTHER: M.NONE},
}
CASES = [
    (level, folder, verdict)
    for level in L
    for folder in F
    for verdict in (V.MALICIOUS, V.SUSPICIOUS, V.NO_THREATS_FOUND, V.UNKNOWN)
]


@pytest.mark.parametrize(("level", "folder", "verdict"), CASES)
def test_decide_every_level_verdict_and_folder_class(
    level: AutomationLevel, folder: FolderClass, verdict: EvidenceVerdict
) -> None:
    decision = _policy(level).decide(QUARANTINE, _file(FOLDERS[folder], verdict), _facts())
    if verdict not in {V.MALICIOUS, V.SUSPICIOUS}:
        assert decision.mode is M.NONE
        assert decision.device_group is None
    elif level is L.NO_AUTOMATED_RESPONSE:
        assert decision.mode is M.NONE
        assert decision.reason == "Device group 'Servers' has no automated response."
    elif verdict is V.SUSPICIOUS:
        assert decision.mode is M.APPROVAL
        assert decision.reason == "Suspicious evidence always needs approval."
    else:
        assert decision.mode is EXPECTED[level][folder]
    if verdict in {V.MALICIOUS, V.SUSPICIOUS}:
        assert decision.device_group == "Servers"
        assert decision.folder_class is folder


def test_decide_reasons_name_the_group_and_the_folder() -> None:
    decide = _policy(L.SEMI_ANY_FOLDER).decide
    assert decide(QUARANTINE, _file(FOLDERS[TEMP]), _facts()).reason == (
        "Device group 'Servers' requires approval for any remediation."
    )
    core = _policy(L.SEMI_CORE_FOLDERS).decide(QUARANTINE, _file(FOLDERS[CORE]), _facts())
    assert core.reason == (
        r"Device group 'Servers' requires approval in core folders: "
        r"C:\Windows\System32 is a core folder."
    )
    temp = _policy(L.SEMI_NON_TEMP_FOLDERS).decide(QUARANTINE, _file(FOLDERS[TEMP]), _facts())
    assert temp.reason == (
        r"Device group 'Servers' remediates automatically here: C:\Windows\Temp is a temporary "
        "folder."
    )
    other = _policy(L.SEMI_NON_TEMP_FOLDERS).decide(QUARANTINE, _file(FOLDERS[OTHER]), _facts())
    assert "neither a core nor a temporary folder" in other.reason
    full = _policy(L.FULL).decide(QUARANTINE, _file(FOLDERS[CORE]), _facts())
    assert full.reason == "Device group 'Servers' remediates threats automatically."


def test_process_evidence_uses_its_image_file_folder() -> None:
    policy = _policy(L.SEMI_NON_TEMP_FOLDERS)
    stop = spec_of(ActionType.LIVE_RESPONSE_STOP_PROCESS)
    linux = _facts(osPlatform="Linux")
    assert policy.decide(stop, _process("/tmp/.x"), linux).mode is M.AUTOMATIC
    assert policy.decide(stop, _process("/usr/sbin"), linux).mode is M.APPROVAL
    assert file_path_of(_process("/tmp/.x")) == "/tmp/.x"


@pytest.mark.parametrize("level", [L.SEMI_CORE_FOLDERS, L.SEMI_NON_TEMP_FOLDERS])
def test_device_wide_and_pathless_actions_need_approval_under_folder_levels(
    level: AutomationLevel,
) -> None:
    policy = _policy(level)
    isolate = policy.decide(ISOLATE, _device())
    assert isolate.mode is M.APPROVAL
    scan = policy.decide(spec_of(ActionType.RUN_ANTIVIRUS_SCAN), _device())
    assert scan.mode is M.APPROVAL
    assert "runAntivirusScan is not limited to one folder" in scan.reason
    for unknown in (None, "", "relative\\x.exe"):
        decision = policy.decide(QUARANTINE, _file(unknown), _facts())
        assert decision.mode is M.APPROVAL
        assert "the file's folder is not known" in decision.reason
        assert decision.folder_class is None
    task = EvidenceItem("scheduledTask", "scheduledTask:t", "t", {}, V.MALICIOUS)
    removal = spec_of(ActionType.LIVE_RESPONSE_REMOVE_SCHEDULED_TASK)
    assert policy.decide(removal, task, _facts()).mode is M.APPROVAL


def test_device_actions_on_device_evidence_use_the_evidence_itself() -> None:
    policy = _policy(L.SEMI_ANY_FOLDER)
    assert policy.decide(ISOLATE, _device()).device_group == "Servers"
    assert policy.decide(ISOLATE, _device()).mode is M.APPROVAL
    # A file without device facts falls in the default group (full).
    unknown = policy.decide(QUARANTINE, _file(FOLDERS[CORE]))
    assert unknown.device_group == DEFAULT_GROUP_NAME
    assert unknown.mode is M.AUTOMATIC


def test_device_hint_resolves_ambiguous_paths() -> None:
    policy = _policy(L.SEMI_CORE_FOLDERS)
    windows = policy.decide(QUARANTINE, _file("/Windows/System32"), _facts())
    assert windows.folder_class is CORE
    assert windows.mode is M.APPROVAL
    linux = policy.decide(QUARANTINE, _file("/usr/bin"), _facts(osPlatform="Linux"))
    assert linux.folder_class is CORE


@pytest.mark.parametrize(
    "action",
    [
        ActionType.OFFBOARD_MACHINE,
        ActionType.RELEASE_FROM_ISOLATION,
        ActionType.RELEASE_FROM_QUARANTINE,
    ],
)
def test_offboarding_and_undo_actions_are_never_automatic(action: ActionType) -> None:
    decision = _policy(L.FULL).decide(spec_of(action), _device())
    assert decision.mode is M.APPROVAL
    assert decision.reason == f"{action.value} is never taken automatically."


def test_user_actions_only_confirm_compromised_is_automatic() -> None:
    policy = AutomationPolicy()
    user = EvidenceItem("user", "user:bob", "bob", {}, V.MALICIOUS)
    confirm = policy.decide(spec_of(ActionType.CONFIRM_USER_COMPROMISED), user)
    assert confirm.mode is M.AUTOMATIC
    assert confirm.device_group is None
    for action in (ActionType.RESET_PASSWORD, ActionType.DISABLE_USER, ActionType.REVOKE_SESSIONS):
        assert policy.decide(spec_of(action), user).mode is M.APPROVAL
    dismiss = spec_of(ActionType.DISMISS_USER_COMPROMISED)
    assert policy.decide(dismiss, user).mode is M.APPROVAL
    suspicious = EvidenceItem("user", "user:bob", "bob", {}, V.SUSPICIOUS)
    assert (
        policy.decide(spec_of(ActionType.CONFIRM_USER_COMPROMISED), suspicious).mode is M.APPROVAL
    )
    clean = EvidenceItem("user", "user:bob", "bob", {}, V.NO_THREATS_FOUND)
    assert policy.decide(spec_of(ActionType.CONFIRM_USER_COMPROMISED), clean).mode is M.NONE


def test_blocking_a_url_needs_approval() -> None:
    url = EvidenceItem("url", "url:https://evil.example/", "https://evil.example/", {}, V.MALICIOUS)
    on = EmailAutomation(auto_soft_delete_similar_urls=True)
    decision = AutomationPolicy(email=on).decide(spec_of(ActionType.BLOCK_URL), url)
    assert decision.mode is M.APPROVAL
    assert decision.reason == "Blocking a URL needs approval."


# --- Email -------------------------------------------------------------------------------------

SOFT_DELETE = spec_of(ActionType.SOFT_DELETE_EMAIL)


def _cluster(by: str, count: object = 42, verdict: EvidenceVerdict = V.MALICIOUS) -> EvidenceItem:
    props = {"clusterBy": by, "clusterByValue": "x", "emailCount": count}
    return EvidenceItem("mailCluster", f"mailCluster:{by}=x", f"{by}: x", props, verdict)


ALL_ON = EmailAutomation(auto_soft_delete_similar_files=True, auto_soft_delete_similar_urls=True)


def test_email_remediation_needs_approval_by_default() -> None:
    policy = AutomationPolicy()
    for by in ("attachmentSha256", "url", "urlDomain", "senderIp"):
        assert policy.decide(SOFT_DELETE, _cluster(by)).mode is M.APPROVAL
    message = EvidenceItem("analyzedMessage", "analyzedMessage:n", "n", {}, V.MALICIOUS)
    assert policy.decide(SOFT_DELETE, message).mode is M.APPROVAL
    assert AutomationPolicy(email=ALL_ON).decide(SOFT_DELETE, message).mode is M.APPROVAL


@pytest.mark.parametrize(
    ("email", "by", "expected"),
    [
        (EmailAutomation(auto_soft_delete_similar_files=True), "attachmentSha256", M.AUTOMATIC),
        (EmailAutomation(auto_soft_delete_similar_files=True), "url", M.APPROVAL),
        (EmailAutomation(auto_soft_delete_similar_urls=True), "url", M.AUTOMATIC),
        (EmailAutomation(auto_soft_delete_similar_urls=True), "URLDOMAIN", M.AUTOMATIC),
        (EmailAutomation(auto_soft_delete_similar_urls=True), "attachmentSha256", M.APPROVAL),
        (ALL_ON, "senderIp", M.APPROVAL),
        (ALL_ON, "bodyFingerprint/senderIp", M.APPROVAL),
        (ALL_ON, "Subject;SenderIp", M.APPROVAL),
    ],
)
def test_email_opt_in_applies_to_its_cluster_kind_only(
    email: EmailAutomation, by: str, expected: DecisionMode
) -> None:
    assert AutomationPolicy(email=email).decide(SOFT_DELETE, _cluster(by)).mode is expected


def test_email_opt_in_only_soft_deletes_malicious_clusters() -> None:
    policy = AutomationPolicy(email=ALL_ON)
    decision = policy.decide(SOFT_DELETE, _cluster("url"))
    assert decision.reason == "Automatic soft delete of similar URLs clusters is on (42 messages)."
    assert policy.decide(SOFT_DELETE, _cluster("url", verdict=V.SUSPICIOUS)).mode is M.APPROVAL
    assert policy.decide(SOFT_DELETE, _cluster("url", verdict=V.NO_THREATS_FOUND)).mode is M.NONE
    for other in (
        ActionType.HARD_DELETE_EMAIL,
        ActionType.MOVE_TO_JUNK,
        ActionType.QUARANTINE_EMAIL,
    ):
        assert policy.decide(spec_of(other), _cluster("url")).mode is M.APPROVAL


def test_email_clusters_above_the_size_limit_stay_pending() -> None:
    policy = AutomationPolicy(email=ALL_ON)
    assert policy.decide(SOFT_DELETE, _cluster("url", 10_000)).mode is M.AUTOMATIC
    over = policy.decide(SOFT_DELETE, _cluster("url", 10_001))
    assert over.mode is M.APPROVAL
    assert over.reason == (
        "The cluster has 10,001 messages, above the limit of 10,000 for soft delete."
    )
    for unknown in (None, "12", True):
        assert policy.decide(SOFT_DELETE, _cluster("url", unknown)).mode is M.APPROVAL
    small = AutomationPolicy(
        email=EmailAutomation(auto_soft_delete_similar_files=True, max_cluster_size=5)
    )
    assert small.decide(SOFT_DELETE, _cluster("attachmentSha256", 6)).mode is M.APPROVAL
    assert small.decide(SOFT_DELETE, _cluster("attachmentSha256", 5)).mode is M.AUTOMATIC


def test_disabled_opt_in_says_so() -> None:
    decision = AutomationPolicy().decide(SOFT_DELETE, _cluster("attachmentSha256"))
    assert decision.reason == "Automatic soft delete of similar files clusters is off."


# --- JSON --------------------------------------------------------------------------------------

FULL_JSON: dict[str, Any] = {
    "deviceGroups": [
        {
            "name": "Domain controllers",
            "rank": 1,
            "automationLevel": "semiAnyFolder",
            "description": "Tier 0",
            "rules": [{"namePattern": "dc-*", "tag": None, "osPlatform": None, "ipRange": None}],
        },
        {
            "name": "Linux servers",
            "rank": 2,
            "automationLevel": "semiCoreFolders",
            "description": None,
            "rules": [
                {"namePattern": None, "tag": "Production", "osPlatform": "Linux", "ipRange": None},
                {"namePattern": None, "tag": None, "osPlatform": None, "ipRange": "10.20.0.0/16"},
            ],
        },
    ],
    "defaultAutomationLevel": "semiNonTempFolders",
    "email": {
        "autoSoftDeleteSimilarFiles": True,
        "autoSoftDeleteSimilarUrls": False,
        "maxClusterSize": 5000,
    },
    "pendingActionExpiryDays": 14,
}


def test_policy_json_round_trip() -> None:
    policy = AutomationPolicy.from_json(FULL_JSON)
    assert policy.to_json() == FULL_JSON
    assert AutomationPolicy.from_json(policy.to_json()) == policy
    assert policy.default_group == default_group(L.SEMI_NON_TEMP_FOLDERS)
    assert policy.email == EmailAutomation(
        auto_soft_delete_similar_files=True, max_cluster_size=5000
    )
    assert policy.pending_expiry_days == 14
    assert policy.ranked_groups[1].rules[1] == DeviceGroupRule(ip_range="10.20.0.0/16")


def test_policy_json_defaults() -> None:
    assert AutomationPolicy.from_json({}) == AutomationPolicy()
    assert AutomationPolicy().to_json() == {
        "deviceGroups": [],
        "defaultAutomationLevel": "full",
        "email": {
            "autoSoftDeleteSimilarFiles": False,
            "autoSoftDeleteSimilarUrls": False,
            "maxClusterSize": 10_000,
        },
        "pendingActionExpiryDays": 7,
    }


def test_policy_json_normalises_levels_blanks_and_order() -> None:
    policy = AutomationPolicy.from_json(
        {
            "deviceGroups": [
                {"name": " B ", "rank": 7, "automationLevel": "FULL", "rules": [{"tag": "x"}]},
                {
                    "name": "A",
                    "rank": 3,
                    "automationLevel": "semicorefolders",
                    "rules": [{"namePattern": "", "tag": "y", "ipRange": "192.0.2.1"}],
                },
            ],
        }
    )
    groups = policy.to_json()["deviceGroups"]
    assert [(g["name"], g["rank"], g["automationLevel"]) for g in groups] == [
        ("A", 3, "semiCoreFolders"),
        ("B", 7, "full"),
    ]
    assert groups[0]["rules"][0] == {
        "namePattern": None,
        "tag": "y",
        "osPlatform": None,
        "ipRange": "192.0.2.1/32",
    }


def _errors(body: object) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        AutomationPolicy.from_json(body)
    return {e.target: e.message for e in caught.value.errors}


def _group(**changes: Any) -> dict[str, Any]:
    return {"name": "G", "rank": 1, "automationLevel": "full", "rules": [{"tag": "t"}]} | changes


@pytest.mark.parametrize(
    ("body", "target", "message"),
    [
        ([], "body", "must be an object"),
        ({"devicegroups": []}, "devicegroups", "is not a known property"),
        ({"deviceGroups": {}}, "deviceGroups", "must be an array"),
        ({"deviceGroups": [1]}, "deviceGroups[0]", "must be an object"),
        ({"deviceGroups": [_group(color="red")]}, "deviceGroups[0].color", "not a known"),
        (
            {"deviceGroups": [_group(automationLevel="auto")]},
            "deviceGroups[0].automationLevel",
            "unknown automation level 'auto'",
        ),
        ({"deviceGroups": [_group(rank=0)]}, "deviceGroups[0].rank", "whole number from 1"),
        ({"deviceGroups": [_group(rank="1")]}, "deviceGroups[0].rank", "whole number"),
        ({"deviceGroups": [_group(rank=True)]}, "deviceGroups[0].rank", "whole number"),
        ({"deviceGroups": [_group(name="  ")]}, "deviceGroups[0].name", "must not be blank"),
        ({"deviceGroups": [_group(name=3)]}, "deviceGroups[0].name", "must be a string"),
        ({"deviceGroups": [_group(name="x" * 300)]}, "deviceGroups[0].name", "longer than 256"),
        ({"deviceGroups": [_group(rules=[])]}, "deviceGroups[0].rules", "at least one rule"),
        ({"deviceGroups": [_group(rules=None)]}, "deviceGroups[0].rules", "is required"),
        (
            {"deviceGroups": [{"rank": 1, "automationLevel": "full", "rules": [{"tag": "t"}]}]},
            "deviceGroups[0].name",
            "is required",
        ),
        (
            {"deviceGroups": [_group(rules=[{}])]},
            "deviceGroups[0].rules[0]",
            "needs at least one of namePattern, tag, osPlatform, ipRange",
        ),
        (
            {"deviceGroups": [_group(rules=[{"tag": " "}])]},
            "deviceGroups[0].rules[0]",
            "needs at least one",
        ),
        (
            {"deviceGroups": [_group(rules=[{"ipRange": "10.0.0.300/8"}])]},
            "deviceGroups[0].rules[0].ipRange",
            "not a network in CIDR form",
        ),
        (
            {"deviceGroups": [_group(rules=[{"ipRange": "10.1.2.3/8"}])]},
            "deviceGroups[0].rules[0].ipRange",
            "did you mean 10.0.0.0/8?",
        ),
        (
            {"deviceGroups": [_group(rules=[{"namePattern": "srv-[0-9"}])]},
            "deviceGroups[0].rules[0].namePattern",
            "without its closing ']'",
        ),
        (
            {"deviceGroups": [_group(rules=[{"osPlatform": "Windows["}])]},
            "deviceGroups[0].rules[0].osPlatform",
            "without its closing",
        ),
        (
            {"deviceGroups": [_group(rules=[{"tag": ["a"]}])]},
            "deviceGroups[0].rules[0].tag",
            "must be a string",
        ),
        (
            {"deviceGroups": [_group(rules=[{"host": "x"}])]},
            "deviceGroups[0].rules[0].host",
            "not a known property",
        ),
        (
            {"deviceGroups": [_group(name="ungrouped devices (DEFAULT)")]},
            "deviceGroups[0].name",
            "already the default group's name",
        ),
        (
            {"deviceGroups": [_group(), _group(name="g", rank=2)]},
            "deviceGroups[1].name",
            "'g' is already deviceGroups[0].name",
        ),
        (
            {"deviceGroups": [_group(), _group(name="H")]},
            "deviceGroups[1].rank",
            "1 is deviceGroups[0]'s rank",
        ),
        (
            {"deviceGroups": [_group(name=f"G{i}", rank=i + 1) for i in range(501)]},
            "deviceGroups",
            "at most 500",
        ),
        ({"defaultAutomationLevel": None}, "defaultAutomationLevel", "unknown automation level"),
        ({"email": []}, "email", "must be an object"),
        (
            {"email": {"autoSoftDeleteSimilarFiles": "yes"}},
            "email.autoSoftDeleteSimilarFiles",
            "true or false",
        ),
        ({"email": {"maxClusterSize": 0}}, "email.maxClusterSize", "whole number from 1"),
        ({"email": {"softDelete": True}}, "email.softDelete", "not a known property"),
        ({"pendingActionExpiryDays": 91}, "pendingActionExpiryDays", "from 1 to 90"),
        ({"pendingActionExpiryDays": 1.5}, "pendingActionExpiryDays", "whole number"),
    ],
)
def test_policy_json_validation_errors(body: object, target: str, message: str) -> None:
    errors = _errors(body)
    assert target in errors, errors
    assert message in errors[target]


def test_policy_json_reports_every_bad_field_at_once() -> None:
    errors = _errors(
        {
            "deviceGroups": [
                _group(automationLevel="x", rules=[{"ipRange": "nope"}, {"namePattern": "["}]),
                _group(name="Other", rank=-1),
            ],
            "email": {"maxClusterSize": "big"},
            "pendingActionExpiryDays": 0,
            "extra": 1,
        }
    )
    assert sorted(errors) == [
        "deviceGroups[0].automationLevel",
        "deviceGroups[0].rules[0].ipRange",
        "deviceGroups[0].rules[1].namePattern",
        "deviceGroups[1].rank",
        "email.maxClusterSize",
        "extra",
        "pendingActionExpiryDays",
    ]


def test_policy_json_error_paths_take_a_prefix() -> None:
    with pytest.raises(ValidationFailed) as caught:
        AutomationPolicy.from_json({"email": {"maxClusterSize": -1}}, "policy")
    assert [e.target for e in caught.value.errors] == ["policy.email.maxClusterSize"]


def test_level_labels_are_defenders() -> None:
    assert L.FULL.label == "Full - remediate threats automatically"
    assert L.SEMI_ANY_FOLDER.label == "Semi - require approval for any remediation"
    assert L.NO_AUTOMATED_RESPONSE.label == "No automated response"
    assert {level.value for level in L} == {
        "full",
        "semiAnyFolder",
        "semiCoreFolders",
        "semiNonTempFolders",
        "noAutomatedResponse",
    }


def test_isolation_and_code_restriction_always_wait_for_a_person() -> None:
    policy = _policy(L.FULL)
    for action in (ActionType.ISOLATE_DEVICE, ActionType.RESTRICT_CODE_EXECUTION):
        decision = policy.decide(spec_of(action), _device())
        assert decision.mode is M.APPROVAL
        assert "never taken automatically" in decision.reason
    assert policy.decide(spec_of(ActionType.RUN_ANTIVIRUS_SCAN), _device()).mode is M.AUTOMATIC
