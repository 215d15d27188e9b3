/*
 * AutoIR's own YARA rules: content that is dangerous in an email attachment or a file.
 * Written for AutoIR (Apache-2.0). Meta fields read by the analyzers:
 *   description  what the analyst reads
 *   verdict      "malicious" or "suspicious"
 *   weight       0..100, how strongly the match alone argues for the verdict
 */

rule AutoIR_HTML_Smuggling
{
    meta:
        description = "HTML builds a file in the browser from embedded data and offers it for download (HTML smuggling)"
        verdict = "malicious"
        weight = 90
    strings:
        $script = "<script" nocase
        $decode1 = "atob(" nocase
        $decode2 = "base64," nocase
        $decode3 = "Uint8Array"
        $decode4 = "charCodeAt("
        $blob1 = "createObjectURL" nocase
        $blob2 = "msSaveOrOpenBlob" nocase
        $blob3 = "new Blob(" nocase
        $save1 = ".download" nocase
        $save2 = "download=" nocase
        $save3 = "msSaveOrOpenBlob" nocase
    condition:
        filesize < 20MB and $script and any of ($decode*) and any of ($blob*) and any of ($save*)
}

rule AutoIR_HTML_Credential_Form
{
    meta:
        description = "HTML page with a password field: a local sign-in page (credential phishing)"
        verdict = "suspicious"
        weight = 75
    strings:
        $form = "<form" nocase
        $password = /type\s*=\s*["']?password/ nocase
        $script_post1 = "XMLHttpRequest"
        $script_post2 = "fetch(" nocase
        $script_post3 = "$.ajax" nocase
        $script_post4 = "$.post" nocase
    condition:
        filesize < 5MB and $password and ($form or any of ($script_post*))
}

rule AutoIR_HTML_Redirector
{
    meta:
        description = "Small HTML file whose only job is to send the browser elsewhere"
        verdict = "suspicious"
        weight = 55
    strings:
        $html = "<html" nocase
        $r1 = /http-equiv\s*=\s*["']?refresh/ nocase
        $r2 = "window.location" nocase
        $r3 = "location.href" nocase
        $r4 = "location.replace(" nocase
        $r5 = "document.location" nocase
    condition:
        filesize < 20KB and $html and any of ($r*)
}

rule AutoIR_Script_Obfuscation
{
    meta:
        description = "Script decodes and runs hidden code (eval of decoded or escaped strings)"
        verdict = "suspicious"
        weight = 60
    strings:
        $eval = /eval\s*\(/ nocase
        $d1 = "atob(" nocase
        $d2 = "unescape(" nocase
        $d3 = "String.fromCharCode" nocase
        $d4 = "decodeURIComponent(" nocase
    condition:
        filesize < 20MB and $eval and 2 of ($d*)
}

rule AutoIR_PDF_Auto_JavaScript
{
    meta:
        description = "PDF runs JavaScript when opened"
        verdict = "suspicious"
        weight = 70
    strings:
        $open1 = "/OpenAction"
        $open2 = "/AA"
        $js1 = "/JavaScript"
        $js2 = "/JS"
    condition:
        uint32(0) == 0x46445025 and any of ($open*) and any of ($js*)
}

rule AutoIR_PDF_Launch_Action
{
    meta:
        description = "PDF launches a program or command"
        verdict = "malicious"
        weight = 85
    strings:
        $launch = "/Launch"
        $cmd1 = "cmd.exe" nocase
        $cmd2 = "powershell" nocase
        $cmd3 = "/Win"
    condition:
        uint32(0) == 0x46445025 and $launch and any of ($cmd*)
}

rule AutoIR_PowerShell_Download_Cradle
{
    meta:
        description = "PowerShell that downloads and runs code"
        verdict = "malicious"
        weight = 85
    strings:
        $ps = "powershell" nocase ascii wide
        $d1 = "DownloadString" nocase ascii wide
        $d2 = "DownloadFile" nocase ascii wide
        $d3 = "Invoke-WebRequest" nocase ascii wide
        $d4 = "Net.WebClient" nocase ascii wide
        $d5 = "Start-BitsTransfer" nocase ascii wide
        $x1 = "IEX" ascii wide
        $x2 = "Invoke-Expression" nocase ascii wide
        $x3 = "Start-Process" nocase ascii wide
    condition:
        $ps and any of ($d*) and any of ($x*)
}

rule AutoIR_PowerShell_Encoded_Command
{
    meta:
        description = "PowerShell started with a base64-encoded command"
        verdict = "malicious"
        weight = 85
    strings:
        $enc = /powershell(\.exe)?["']?\s+[^\r\n]{0,80}-e(nc|ncodedcommand)?\s+[A-Za-z0-9+\/=]{40,}/ nocase ascii wide
    condition:
        $enc
}

rule AutoIR_Windows_Script_Host_Dropper
{
    meta:
        description = "Windows script creates a shell object and runs commands"
        verdict = "malicious"
        weight = 85
    strings:
        $o1 = "WScript.Shell" nocase ascii wide
        $o2 = "Shell.Application" nocase ascii wide
        $o3 = "ActiveXObject" nocase ascii wide
        $r1 = ".Run(" nocase ascii wide
        $r2 = ".Run " nocase ascii wide
        $r3 = ".Exec(" nocase ascii wide
        $r4 = "ShellExecute" nocase ascii wide
        $net1 = "MSXML2.XMLHTTP" nocase ascii wide
        $net2 = "WinHttp.WinHttpRequest" nocase ascii wide
        $net3 = "ADODB.Stream" nocase ascii wide
    condition:
        any of ($o*) and (any of ($r*) or 2 of ($net*))
}

rule AutoIR_LOLBin_Proxy_Execution
{
    meta:
        description = "Command line that abuses a Windows binary to fetch or run code (mshta, regsvr32, rundll32, certutil, bitsadmin)"
        verdict = "malicious"
        weight = 80
    strings:
        $m1 = /mshta(\.exe)?\s+["']?(https?:|javascript:|vbscript:)/ nocase ascii wide
        $m2 = /regsvr32(\.exe)?\s+[^\r\n]{0,40}\/i:\s*https?:/ nocase ascii wide
        $m3 = /rundll32(\.exe)?\s+[^\r\n]{0,40}javascript:/ nocase ascii wide
        $m4 = /certutil(\.exe)?\s+[^\r\n]{0,40}-(urlcache|decode)/ nocase ascii wide
        $m5 = /bitsadmin(\.exe)?\s+[^\r\n]{0,40}\/transfer/ nocase ascii wide
    condition:
        any of them
}

rule AutoIR_LNK_Runs_Interpreter
{
    meta:
        description = "Windows shortcut that starts a command interpreter or script host"
        verdict = "malicious"
        weight = 90
    strings:
        $i1 = "cmd.exe" nocase ascii wide
        $i2 = "powershell" nocase ascii wide
        $i3 = "mshta" nocase ascii wide
        $i4 = "wscript" nocase ascii wide
        $i5 = "cscript" nocase ascii wide
        $i6 = "rundll32" nocase ascii wide
        $i7 = "regsvr32" nocase ascii wide
    condition:
        uint32(0) == 0x0000004C and uint32(4) == 0x00021401 and any of them
}

rule AutoIR_Disk_Image_With_Executable
{
    meta:
        description = "ISO disk image that carries a program, script or shortcut"
        verdict = "malicious"
        weight = 85
    strings:
        $e1 = ".exe" nocase
        $e2 = ".lnk" nocase
        $e3 = ".js;" nocase
        $e4 = ".vbs" nocase
        $e5 = ".hta" nocase
        $e6 = ".dll" nocase
        $e7 = ".bat" nocase
        $e8 = ".cmd;" nocase
        $e9 = ".scr" nocase
        $e10 = ".msi" nocase
    condition:
        uint32(0x8001) == 0x30304443 and any of them
}

rule AutoIR_RTF_Embedded_Object
{
    meta:
        description = "RTF document with an embedded OLE object that updates itself or targets the equation editor"
        verdict = "suspicious"
        weight = 70
    strings:
        $obj = "\\objdata" nocase
        $u1 = "\\objupdate" nocase
        $u2 = "equation" nocase
        $u3 = "0002CE02" nocase
        $u4 = "0105000002000000"
    condition:
        uint32(0) == 0x74725c7b and $obj and any of ($u*)
}
