"""analyzer.attachments: file types, names, archives, HTML and YARA."""

from __future__ import annotations

import hashlib
import io
import zipfile

from autoir.analyzers.attachments import AttachmentAnalyzer
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.verdicts.observables import FileSubject, ObservableKind
from tests.unit.analyzers.builders import context

ANALYZER = AttachmentAnalyzer()
PE = b"MZ" + b"\x90" * 58 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00" + b"\x00" * 200


def analyse(name: str, payload: bytes, content_type: str | None = None):
    subject = FileSubject(name, hashlib.sha256(payload).hexdigest(), payload, content_type)
    return ANALYZER.analyze(subject, context())


def codes(report) -> set[str]:
    return {r.code for r in report.reasons}


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_program_posing_as_a_document_is_malicious() -> None:
    report = analyse("Invoice_2024.pdf.exe", PE)
    assert {"attachment.double_extension", "attachment.executable"} <= codes(report)
    assert report.verdict is EvidenceVerdict.MALICIOUS


def test_executable_found_by_magic_whatever_the_name() -> None:
    report = analyse("photo.jpg", PE)
    assert "attachment.executable" in codes(report)
    assert report.verdict is EvidenceVerdict.MALICIOUS


def test_script_extension_and_right_to_left_override() -> None:
    assert "attachment.dangerous_extension" in codes(analyse("readme.js", b"var a = 1;"))
    assert "attachment.rtlo_name" in codes(analyse("report\u202efdp.scr", b"x"))


def test_zip_carrying_a_program_and_encrypted_zip() -> None:
    report = analyse("docs.zip", zipped({"docs/invoice.pdf.lnk": b"L\x00\x00\x00"}))
    assert "attachment.archive_with_executable" in codes(report)
    assert report.verdict is EvidenceVerdict.MALICIOUS
    encrypted = bytearray(zipped({"a.txt": b"hello"}))
    encrypted[6] |= 0x01  # general purpose flag, bit 0: encrypted (local header)
    central = encrypted.find(b"PK\x01\x02")
    encrypted[central + 8] |= 0x01  # and in the central directory
    assert "attachment.encrypted_archive" in codes(analyse("secure.zip", bytes(encrypted)))


def test_disk_image_and_shortcut() -> None:
    iso = b"\x00" * 0x8001 + b"CD001" + b"\x00" * 100 + b"SETUP.EXE;1"
    report = analyse("order.iso", iso)
    assert {"attachment.disk_image", "yara.AutoIR_Disk_Image_With_Executable"} <= codes(report)
    lnk = (
        b"L\x00\x00\x00\x01\x14\x02\x00" + b"\x00" * 60 + "powershell -w hidden".encode("utf-16-le")
    )
    shortcut = analyse("document.lnk", lnk)
    assert "yara.AutoIR_LNK_Runs_Interpreter" in codes(shortcut)
    assert shortcut.verdict is EvidenceVerdict.MALICIOUS


def test_html_smuggling_and_local_sign_in_page() -> None:
    smuggler = (
        b"<html><body><script>var d=atob('TVqQAAMA');var b=new Blob([d]);"
        b"var a=document.createElement('a');a.href=URL.createObjectURL(b);"
        b"a.download='invoice.iso';a.click();</script></body></html>"
    )
    report = analyse("invoice.html", smuggler, "text/html")
    assert "yara.AutoIR_HTML_Smuggling" in codes(report)
    assert report.verdict is EvidenceVerdict.MALICIOUS
    login = (
        b'<html><form action="https://x.example/a"><input type="password" name="p"></form></html>'
    )
    page = analyse("Secure_Message.htm", login)
    assert {"attachment.html_file", "yara.AutoIR_HTML_Credential_Form"} <= codes(page)
    assert page.verdict is EvidenceVerdict.SUSPICIOUS


def test_pdf_links_are_extracted_as_observables() -> None:
    pdf = b"%PDF-1.4\n1 0 obj << /A << /S /URI /URI (https://evil.example/pay) >> >> endobj\n"
    report = analyse("statement.pdf", pdf)
    urls = [o.value for o in report.observables if o.kind is ObservableKind.URL]
    assert urls == ["https://evil.example/pay"]


def test_ordinary_document_and_broken_office_file_are_harmless() -> None:
    assert analyse("notes.txt", b"just some notes").verdict is EvidenceVerdict.NO_THREATS_FOUND
    broken = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert analyse("budget.xls", broken).verdict is EvidenceVerdict.NO_THREATS_FOUND


def test_empty_payload_is_unknown() -> None:
    assert analyse("empty.bin", b"").verdict is EvidenceVerdict.UNKNOWN
