"""Command-line findings: what attackers type, as regular expressions with a code and weight.

Each rule is a technique, not a sample: it names the behaviour (download-and-run, reverse
shell, credential dumping…) and matches the ways it is commonly written. Weights follow
:mod:`autoir.domain.verdicts.scoring`: a ``malicious`` rule at ≥ 0.85 decides alone (the
behaviour has no ordinary administrative use); lighter ones pool with other findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autoir.domain.alerts.enums import EvidenceVerdict

M = EvidenceVerdict.MALICIOUS
S = EvidenceVerdict.SUSPICIOUS


@dataclass(frozen=True, slots=True)
class CommandRule:
    """A technique recognised in a command line."""

    code: str
    description: str
    verdict: EvidenceVerdict
    weight: float
    pattern: re.Pattern[str]


def _rule(
    code: str, description: str, verdict: EvidenceVerdict, weight: float, regex: str
) -> CommandRule:
    return CommandRule(code, description, verdict, weight, re.compile(regex, re.IGNORECASE))


_FETCH = r"(?:curl|wget|fetch|busybox\s+wget|python[0-9.]*\s+-c\s+.*urllib)"
_SHELL = r"(?:ba|da|z|k|c|tc)?sh\b"

COMMAND_RULES: tuple[CommandRule, ...] = (
    # Download and run
    _rule(
        "process.download_pipe_shell",
        "Downloads a script and pipes it straight into a shell",
        M,
        0.9,
        rf"{_FETCH}[^|;&]*\|\s*(?:sudo\s+)?(?:/\S*/)?{_SHELL}",
    ),
    _rule(
        "process.download_execute",
        "Downloads a file, makes it executable and runs it",
        M,
        0.85,
        rf"{_FETCH}\b.*(?:&&|;)\s*chmod\s+(?:\+x|[0-7]*[1357][0-7]{{0,2}}\b).*(?:&&|;)\s*(?:\./|/tmp/|/dev/shm/|/var/tmp/)",
    ),
    _rule(
        "process.powershell_cradle",
        "PowerShell download cradle (downloads and executes code in memory)",
        M,
        0.9,
        r"(?:iex|invoke-expression)\b.*(?:downloadstring|downloaddata|net\.webclient|invoke-webrequest|\biwr\b|invoke-restmethod|\birm\b)"
        r"|(?:downloadstring|net\.webclient|invoke-webrequest|\biwr\b|invoke-restmethod|\birm\b).*\|\s*(?:iex|invoke-expression)\b",
    ),
    _rule(
        "process.certutil_download",
        "certutil used to download or decode a file (a living-off-the-land technique)",
        M,
        0.7,
        r"certutil(?:\.exe)?\b.*(?:-urlcache|/urlcache|-decode|/decode|-decodehex|verifyctl.*http)",
    ),
    _rule(
        "process.bitsadmin_download",
        "bitsadmin transfers a file from the internet",
        S,
        0.55,
        r"bitsadmin(?:\.exe)?\b.*(?:/transfer|/addfile).*https?://",
    ),
    _rule(
        "process.script_host_remote",
        "A script host runs code from a URL (mshta, regsvr32 /i:http, rundll32 javascript)",
        M,
        0.85,
        r"mshta(?:\.exe)?\s+[\"']?(?:https?:|javascript:|vbscript:)"
        r"|regsvr32(?:\.exe)?\b.*/i:\s*https?:"
        r"|rundll32(?:\.exe)?\b.*(?:javascript:|mshtml,runhtmlapplication)",
    ),
    _rule(
        "process.scriptlet_remote_registration",
        "Registers a COM scriptlet from a URL (regsvr32 /i:http … scrobj.dll, under any name)",
        M,
        0.9,
        r"/i:\s*[\"']?https?://\S+.*(?:scrobj(?:\.dll)?|\.dll\b)|/i:\s*[\"']?https?://\S+\.sct\b",
    ),
    _rule(
        "process.rundll32_proxy",
        "rundll32 runs a program or URL through a proxy export (zipfldr, pcwutl, url.dll, "
        "advpack, setupapi, shell32 ShellExec)",
        S,
        0.6,
        r"rundll32(?:\.exe)?[\"']?\s+.*(?:zipfldr(?:\.dll)?\s*,\s*routethecall"
        r"|pcwutl(?:\.dll)?\s*,\s*launchapplication|url\.dll\s*,\s*(?:fileprotocolhandler|openurl)"
        r"|advpack(?:\.dll)?\s*,\s*(?:launchinfsection|registerocx)"
        r"|setupapi(?:\.dll)?\s*,\s*installhinfsection|shell32(?:\.dll)?\s*,\s*shellexec_rundll)",
    ),
    _rule(
        "process.rundll32_odd_module",
        "rundll32 loads a module that is not a .dll from a user-writable folder",
        S,
        0.6,
        r"rundll32(?:\.exe)?[\"']?\s+[\"']?[a-z]:\\(?:users|programdata|windows\\temp)\\[^,]*"
        r"\.(?!dll\b)[a-z0-9]{2,4}\s*,",
    ),
    _rule(
        "process.lolbin_execute",
        "A signed Windows utility used to launch another program or script (LOLBAS: pcalua, "
        "vshadow, forfiles, msxsl, cmstp, installutil, odbcconf, mavinject, msiexec from a URL)",
        S,
        0.55,
        r"pcalua(?:\.exe)?[\"']?\s+-a\s|vshadow(?:\.exe)?\b.*-exec=|forfiles(?:\.exe)?\b.*/c\s"
        r"|\bmsxsl(?:\.exe)?\s+\S+\s+\S+|cmstp(?:\.exe)?\b.*/s\b.*\.inf"
        r"|installutil(?:\.exe)?\b.*/u\b|odbcconf(?:\.exe)?\b.*(?:/a|-a)\s*\{?\s*regsvr"
        r"|mavinject(?:32|64)?(?:\.exe)?\b.*/injectrunning|msiexec(?:\.exe)?\b.*(?:/i|-i)\s*https?://",
    ),
    _rule(
        "process.lolbin_download",
        "A Windows utility abused to download a file (desktopimgdownldr, esentutl, expand, "
        "finger, curl to a user folder)",
        S,
        0.6,
        r"desktopimgdownldr(?:\.exe)?\b.*/lockscreenurl:\s*https?://"
        r"|esentutl(?:\.exe)?\b.*/y\s+\\\\|finger(?:\.exe)?\s+\S+@\S+",
    ),
    _rule(
        "process.wmi_event_consumer",
        "Creates a WMI event subscription that runs a command (WMI persistence)",
        M,
        0.85,
        r"(?:commandlineeventconsumer|activescripteventconsumer)\b.*(?:create|call|set|=)"
        r"|__filtertoconsumerbinding\b.*(?:create|call|set)",
    ),
    _rule(
        "process.wmi_process_create",
        "Starts a process through WMI (remote or local execution)",
        S,
        0.5,
        r"wmic(?:\.exe)?\b.*\bprocess\s+call\s+create\b|invoke-wmimethod\b.*win32_process.*create",
    ),
    _rule(
        "process.admin_share_output",
        "A shell writes its output to an administrative share (remote execution tooling such "
        "as wmiexec or dcomexec)",
        M,
        0.85,
        r"cmd(?:\.exe)?[\"']?\s+/q\s+/c\b.*1>\s*\\\\[^\\]+\\(?:admin|c|ipc)\$\\",
    ),
    _rule(
        "process.ifeo_or_silent_exit_hijack",
        "Sets a debugger or monitor process for another program (Image File Execution Options or "
        "SilentProcessExit hijack)",
        S,
        0.65,
        r"reg(?:\.exe)?\s+add\b.*(?:image file execution options\\[^\\\"]+[\"']?\s"
        r".*(?:debugger|globalflag)|silentprocessexit\\)",
    ),
    _rule(
        "process.uac_disabled",
        "Turns off User Account Control (EnableLUA) or its consent prompt",
        S,
        0.6,
        r"reg(?:\.exe)?\s+add\b.*policies\\system\b.*/v\s+(?:enablelua|consentpromptbehavioradmin)",
    ),
    _rule(
        "process.autorun_from_user_folder",
        "Adds a Run key or Winlogon shell entry pointing into a user-writable folder",
        S,
        0.6,
        r"reg(?:\.exe)?\s+add\b.*(?:\\currentversion\\run(?:once)?\b|\\winlogon\b.*/v\s+(?:shell|userinit))"
        r".*(?:\\appdata\\|\\temp\\|\\users\\public\\|\\programdata\\|\\downloads\\)",
    ),
    _rule(
        "process.port_forwarding",
        "Sets up port forwarding through netsh portproxy (tunnelling, often to RDP)",
        S,
        0.6,
        r"netsh(?:\.exe)?\s+(?:i(?:nterface)?)\s+(?:p(?:ortproxy)?)\s+(?:a(?:dd)?)\s+v",
    ),
    _rule(
        "process.offensive_tool",
        "The name of a public offensive-security tool (credential theft, privilege escalation, "
        "lateral movement, tunnelling)",
        S,
        0.7,
        r"(?:^|[\\/\s\"'])(?:mimikatz|pypykatz|rubeus|kekeo|safetykatz|sharpkatz|nanodump|ppldump|"
        r"lazagne|sharphound|bloodhound|seatbelt|sharpup|powerup|winpeas|linpeas|linenum|"
        r"juicypotato|roguepotato|printspoofer|godpotato|efspotato|sweetpotato|uacme|akagi(?:32|64)?|"
        r"crackmapexec|netexec|secretsdump|wmiexec|smbexec|dcomexec|atexec|psexec\.py|"
        r"chisel|ligolo|rpivot|kerbrute|certify|certipy|sharpdpapi|sharprdp|"
        r"networkserviceexploit|furutaka)(?:\.exe|\.py|\.ps1)?(?=$|[\s\"'])",
    ),
    # Obfuscation
    _rule(
        "process.encoded_powershell",
        "PowerShell runs a base64-encoded command",
        S,
        0.6,
        r"(?:powershell|pwsh)(?:\.exe)?\b.*\s-(?:e|ec|en|enc|enco|encod|encode|encoded|encodedc\w*)\s+[A-Za-z0-9+/=]{20,}",
    ),
    _rule(
        "process.hidden_bypass_powershell",
        "PowerShell started hidden and non-interactive, or with the execution policy bypassed",
        S,
        0.4,
        r"(?:powershell|pwsh)(?:\.exe)?\b(?=.*-(?:w|win|window|windowstyle)\s+h(?:idden)?\b)"
        r"(?=.*(?:-(?:ep|exec|executionpolicy)\s+bypass|-noni(?:nteractive)?\b.*-(?:c|command)\b))",
    ),
    _rule(
        "process.base64_to_shell",
        "Decodes base64 and runs the result in a shell or interpreter",
        M,
        0.85,
        rf"base64\s+(?:-d|--decode|-D)\b[^|]*\|\s*(?:sudo\s+)?(?:/\S*/)?(?:{_SHELL}|python[0-9.]*|perl|php)",
    ),
    _rule(
        "process.powershell_stager",
        "PowerShell stager that builds and runs code in memory (scriptblock from a decompressed "
        "or decoded stream, pointer-size checks of shellcode loaders)",
        M,
        0.85,
        r"\[scriptblock\]::create\(.*(?:io\.streamreader|gzipstream|deflatestream|frombase64string)"
        r"|\[intptr\]::size\s*-eq\s*4.*(?:powershell|syswow64)",
    ),
    _rule(
        "process.frombase64_execute",
        "Decodes base64 in a script and executes it",
        S,
        0.6,
        r"frombase64string\(.*(?:iex|invoke-expression|\[scriptblock\]::create|reflection\.assembly\]::load)",
    ),
    # Reverse shells and tunnels
    _rule(
        "process.reverse_shell",
        "Reverse shell: a shell whose input and output go to a remote socket",
        M,
        0.95,
        r"/dev/tcp/\d{1,3}(?:\.\d{1,3}){3}/\d+"
        r"|/dev/tcp/[a-z0-9.-]+/\d+"
        r"|\b(?:nc|ncat|netcat)\b[^|;]*\s-(?:[a-z]*e|c)\s+(?:/bin/)?(?:ba)?sh\b"
        r"|mkfifo\s+\S+.*\|\s*(?:/bin/)?(?:ba)?sh\b.*\|\s*(?:nc|ncat|netcat|openssl\s+s_client)"
        r"|socket\.socket\(.*(?:dup2|subprocess|pty\.spawn)"
        r"|socat\b.*exec:.*(?:sh|bash)",
    ),
    _rule(
        "process.interactive_pty_spawn",
        "Spawns an interactive terminal from a script interpreter (post-exploitation)",
        S,
        0.55,
        r"pty\.spawn\(\s*[\"'](?:/bin/)?(?:ba)?sh",
    ),
    # Credential access
    _rule(
        "process.credential_dumping_tool",
        "Credential-dumping tool syntax (Mimikatz and its derivatives)",
        M,
        0.95,
        r"sekurlsa::|lsadump::|kerberos::(?:golden|ptt|list)|privilege::debug|crypto::capi|dpapi::",
    ),
    _rule(
        "process.lsass_dump",
        "Dumps the memory of LSASS (where Windows keeps credentials)",
        M,
        0.9,
        r"(?:procdump(?:64)?(?:\.exe)?\b.*\s-ma\b.*lsass)|comsvcs(?:\.dll)?[\s,]+(?:#24|minidump)"
        r"|\blsass(?:\.exe)?\b.*(?:\.dmp\b|\.png\b|dump)|(?:/fullmemdmp|-ma|minidump|dump)\b.*\blsass\b"
        r"|rdrleakdiag(?:\.exe)?\b.*/fullmemdmp",
    ),
    _rule(
        "process.sam_hive_export",
        "Saves the SAM, SECURITY or SYSTEM registry hive (offline credential extraction)",
        M,
        0.85,
        r"reg(?:\.exe)?\s+save\s+hklm\\(?:sam|security|system)\b",
    ),
    _rule(
        "process.shadow_file_access",
        "Reads or copies the Linux password hashes (/etc/shadow)",
        S,
        0.6,
        r"(?:cat|cp|tar|base64|less|more|head|tail|scp|unshadow|john)\b[^|;]*/etc/shadow\b",
    ),
    # Destruction and defence evasion
    _rule(
        "process.shadow_copy_deletion",
        "Deletes volume shadow copies or backups (ransomware preparation)",
        M,
        0.9,
        r"vssadmin(?:\.exe)?\b.*delete\s+shadows|wmic(?:\.exe)?\b.*shadowcopy\s+delete"
        r"|wbadmin(?:\.exe)?\b.*delete\s+(?:catalog|systemstatebackup)"
        r"|bcdedit(?:\.exe)?\b.*recoveryenabled\s+no",
    ),
    _rule(
        "process.log_clearing",
        "Clears event logs or shell history",
        S,
        0.6,
        r"wevtutil(?:\.exe)?\s+(?:cl|clear-log)\b|clear-eventlog\b"
        r"|\bhistory\s+-c\b|unset\s+histfile\b|export\s+histfile=/dev/null"
        r"|(?:rm|shred|truncate)\b[^;|]*(?:/var/log/(?:auth|secure|wtmp|btmp|lastlog|syslog|messages)|\.bash_history)",
    ),
    _rule(
        "process.security_tool_tampering",
        "Turns off security controls (antivirus, SELinux, firewall, audit)",
        S,
        0.65,
        r"set-mppreference\b.*-disable\w*\s+\$?true|add-mppreference\b.*-exclusion"
        r"|\bsetenforce\s+0\b|systemctl\s+(?:stop|disable)\s+(?:auditd|apparmor|firewalld|ufw|falco|clamav\w*)"
        r"|\biptables\s+-F\b|\bufw\s+disable\b|netsh\s+(?:adv)?firewall\s+set\s+\w*\s*state\s+off",
    ),
    # Persistence and privilege
    _rule(
        "process.authorized_keys_write",
        "Adds an SSH key to an authorized_keys file",
        S,
        0.6,
        r"(?:>>?|tee\s+-a)\s*\S*\.ssh/authorized_keys",
    ),
    _rule(
        "process.root_user_creation",
        "Creates a user with id 0 or adds one to the administrators",
        M,
        0.85,
        r"useradd\b.*-o\b.*-u\s*0\b|usermod\b.*-u\s*0\b|net\s+localgroup\s+administrators\s+\S+\s+/add",
    ),
    _rule(
        "process.cron_from_temp",
        "Schedules a task that runs something from a temporary or hidden location",
        S,
        0.6,
        r"(?:crontab|schtasks(?:\.exe)?\s+/create|systemd-run|at\s+now).*(?:/tmp/|/dev/shm/|/var/tmp/|\\temp\\|\\appdata\\|/\.\w+)",
    ),
    # Miners
    _rule(
        "process.cryptominer",
        "Cryptocurrency miner arguments (mining pool protocol or miner options)",
        M,
        0.85,
        r"stratum\+(?:tcp|ssl|tls)://|--donate-level\b|\bxmrig\b|--cpu-max-threads-hint|\bminerd\b.*-o\s",
    ),
    # Discovery (weak alone; pools with the rest)
    _rule(
        "process.discovery_burst",
        "Account and network discovery commands chained together",
        S,
        0.25,
        r"(?:whoami|id|hostname|uname\s+-a|ipconfig|ifconfig|ip\s+a|net\s+(?:user|group|view)|nltest)\b"
        r"(?:\s*(?:&&|;|&|\|\|)\s*(?:whoami|id|hostname|uname\s+-a|ipconfig|ifconfig|ip\s+a|net\s+(?:user|group|view)|nltest|arp\s+-a|netstat)\b){2,}",
    ),
)
