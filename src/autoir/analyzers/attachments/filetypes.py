"""What a file really is: magic bytes first, the name second (names lie)."""

from __future__ import annotations

import re
from enum import StrEnum


class FileKind(StrEnum):
    """Coarse file kinds the checks care about."""

    EXECUTABLE = "executable"
    OLE = "ole"
    OOXML_OR_ZIP = "zip"
    RAR = "rar"
    SEVEN_ZIP = "7z"
    GZIP = "gzip"
    PDF = "pdf"
    RTF = "rtf"
    DISK_IMAGE = "disk_image"
    SHORTCUT = "shortcut"
    HTML = "html"
    OTHER = "other"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EXECUTABLE_EXTENSIONS = _words(
    "exe scr com pif bat cmd vbs vbe js jse wsf wsh hta ps1 psm1 msi msp jar lnk cpl reg dll "
    "sys ocx appx appxbundle msix application gadget inf scf url iqy slk"
)
CONTAINER_EXTENSIONS = _words("iso img vhd vhdx udf")
DOCUMENT_EXTENSIONS = _words(
    "pdf doc docx docm xls xlsx xlsm ppt pptx pptm rtf txt jpg jpeg png gif csv odt ods zip "
    "rar 7z html htm mp3 mp4 wav"
)
HTML_EXTENSIONS = _words("htm html shtml xhtml svg mht mhtml")
ARCHIVE_EXTENSIONS = _words("zip rar 7z gz tgz ace arj cab xz bz2 z lzh")
MAX_EXTENSION_CHARS = 5
_HTML_START = re.compile(
    rb"^\s*(<!doctype html|<html|<head|<body|<script|<svg|<meta|<form)", re.IGNORECASE
)


def detect_kind(payload: bytes, content_type: str | None = None) -> FileKind:
    """The file kind from its first bytes (``content_type`` only breaks ties for HTML)."""
    head = payload[:512]
    kind = _by_magic(payload, head)
    if kind is not FileKind.OTHER:
        return kind
    if _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")) or (content_type or "").endswith("html"):
        return FileKind.HTML
    return FileKind.OTHER


def _by_magic(payload: bytes, head: bytes) -> FileKind:
    magic = {
        b"MZ": FileKind.EXECUTABLE,
        b"\x7fELF": FileKind.EXECUTABLE,
        b"\xcf\xfa\xed\xfe": FileKind.EXECUTABLE,
        b"\xce\xfa\xed\xfe": FileKind.EXECUTABLE,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": FileKind.OLE,
        b"PK\x03\x04": FileKind.OOXML_OR_ZIP,
        b"Rar!\x1a\x07": FileKind.RAR,
        b"7z\xbc\xaf\x27\x1c": FileKind.SEVEN_ZIP,
        b"\x1f\x8b": FileKind.GZIP,
        b"%PDF": FileKind.PDF,
        b"{\\rt": FileKind.RTF,
        b"L\x00\x00\x00\x01\x14\x02\x00": FileKind.SHORTCUT,
        b"conectix": FileKind.DISK_IMAGE,
        b"vhdxfile": FileKind.DISK_IMAGE,
    }
    for prefix, kind in magic.items():
        if head.startswith(prefix):
            return kind
    if payload[0x8001:0x8006] == b"CD001" or payload[0x9001:0x9006] == b"CD001":
        return FileKind.DISK_IMAGE
    return FileKind.OTHER


def extensions(name: str) -> list[str]:
    """Lower-case extensions, last one last (``Invoice.PDF   .exe`` gives ``['pdf', 'exe']``)."""
    parts = [p.strip().lower() for p in name.split(".")[1:]]
    return [p for p in parts if p and p.isalnum() and len(p) <= MAX_EXTENSION_CHARS]
