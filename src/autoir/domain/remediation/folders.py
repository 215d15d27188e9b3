r"""Folder classes: whether a file lies in a core, a temporary or another folder.

The semi-automatic automation levels (reference §3.1) ask for approval by the folder a file
lies in. Folder classes (:func:`classify_folder`; ``*`` is one path segment, a folder includes
everything below it; the first matching row wins):

=========  =================================================  ================================
class      Windows (any drive, case-insensitive)              Linux / macOS (case-sensitive)
=========  =================================================  ================================
temp       ``\users\*\appdata\local\temp``,              ``/tmp``, ``/var/tmp``,
           ``\windows\temp``, ``\users\*\downloads``,    ``/usr/tmp``, ``/dev/shm``,
           ``\program files (x86)`` (as the reference        ``/run/shm``, ``/run/user/*``,
           lists it), ``\documents and settings\*\local    ``/home/*/Downloads``,
           settings\temp`` and ``…\temporary``              ``/root/Downloads``,
                                                              ``/private/tmp``,
                                                              ``/private/var/tmp``,
                                                              ``/Users/*/Downloads``
core       ``\windows`` (the OS folder)                      ``/bin``, ``/sbin``, ``/usr``
                                                              except ``/usr/local``, ``/lib``,
                                                              ``/lib32``, ``/lib64``,
                                                              ``/libx32``, ``/boot``, ``/etc``,
                                                              ``/System``
other      everything else (``\program files``,              everything else (``/opt``,
           ``\programdata``, UNC shares, relative paths)     ``/usr/local``, ``/home``, ``/srv``)
=========  =================================================  ================================

``/opt`` and ``/usr/local`` hold locally installed software, like ``\program files``: not core.
Paths are normalised first, so ``/tmp/../usr/bin`` is core and ``C:\Windows\Temp\..\x`` is
core: ``..`` cannot smuggle a core file into a temp class. Windows paths may use ``/``,
``%SystemRoot%``-style variables, ``\\?\`` and ``\Device\HarddiskVolumeN`` prefixes and
admin shares (``\\host\c$``).
"""

from __future__ import annotations

import ntpath
import posixpath
import re
from collections.abc import Mapping
from enum import StrEnum

from autoir.domain.investigations.evidence import EvidenceItem


class FolderClass(StrEnum):
    """What kind of folder a file lives in (see the module docstring's table)."""

    CORE = "core"
    TEMP = "temp"
    OTHER = "other"


_Pattern = tuple[str, ...]
_WINDOWS_TEMP: tuple[_Pattern, ...] = (
    ("users", "*", "appdata", "local", "temp"),
    ("windows", "temp"),
    ("users", "*", "downloads"),
    ("program files (x86)",),
    ("documents and settings", "*", "local settings", "temp"),
    ("documents and settings", "*", "local settings", "temporary"),
)
_WINDOWS_CORE: tuple[_Pattern, ...] = (("windows",),)
_POSIX_TEMP: tuple[_Pattern, ...] = (
    ("tmp",),
    ("var", "tmp"),
    ("usr", "tmp"),
    ("dev", "shm"),
    ("run", "shm"),
    ("run", "user", "*"),
    ("home", "*", "Downloads"),
    ("root", "Downloads"),
    ("private", "tmp"),
    ("private", "var", "tmp"),
    ("Users", "*", "Downloads"),
)
_POSIX_NOT_CORE: tuple[_Pattern, ...] = (("usr", "local"),)
_POSIX_CORE: tuple[_Pattern, ...] = tuple(
    (name,)
    for name in ("bin", "sbin", "usr", "lib", "lib32", "lib64", "libx32", "boot", "etc", "System")
)
_FOLDER_TABLES: dict[bool, tuple[tuple[_Pattern, ...], ...]] = {
    True: (_WINDOWS_TEMP, _WINDOWS_CORE, ()),
    False: (_POSIX_TEMP, _POSIX_CORE, _POSIX_NOT_CORE),
}

_USER = "%username%"  # a segment that only "*" matches
_WINDOWS_VARIABLES = {
    "systemroot": "c:\\windows",
    "windir": "c:\\windows",
    "systemdrive": "c:",
    "temp": f"c:\\users\\{_USER}\\appdata\\local\\temp",
    "tmp": f"c:\\users\\{_USER}\\appdata\\local\\temp",
    "userprofile": f"c:\\users\\{_USER}",
    "localappdata": f"c:\\users\\{_USER}\\appdata\\local",
    "appdata": f"c:\\users\\{_USER}\\appdata\\roaming",
    "programfiles": "c:\\program files",
    "programfiles(x86)": "c:\\program files (x86)",
    "programw6432": "c:\\program files",
    "programdata": "c:\\programdata",
}
_VARIABLE = re.compile(r"%([a-z0-9_()]+)%")
_DRIVE = re.compile(r"^[a-z]:", re.IGNORECASE)
_NT_PREFIX = re.compile(r"^(?:\\\\\?\\|\\\?\?\\|\\\\\.\\)")  # \\?\  \??\  \\.\
_VOLUME = re.compile(r"^\\device\\harddiskvolume\d+(?=\\|$)")
_ADMIN_SHARE = re.compile(r"^\\\\[^\\]+\\[a-z]\$(?=\\|$)")


def _windows_segments(path: str) -> _Pattern | None:
    text = path.strip().strip('"').replace("/", "\\").lower()
    text = _VARIABLE.sub(lambda m: _WINDOWS_VARIABLES.get(m.group(1), m.group(0)), text)
    text = _VOLUME.sub("", _NT_PREFIX.sub("", text))
    if _DRIVE.match(text):
        text = text[2:]
    elif _ADMIN_SHARE.match(text):
        text = _ADMIN_SHARE.sub("", text)
    if not text.startswith("\\") or text.startswith("\\\\"):
        return None  # relative, or a network share: not this device's folders
    # Win32 drops trailing dots and spaces: "C:\Windows.\" is C:\Windows.
    parts = (s.rstrip(". ") or s for s in ntpath.normpath(text).split("\\"))
    return tuple(s for s in parts if s)


def _posix_segments(path: str) -> _Pattern | None:
    text = re.sub(r"/+", "/", path.strip())
    if not text.startswith("/"):
        return None
    return tuple(s for s in posixpath.normpath(text).split("/") if s)


def _is_windows_path(path: str, windows: bool | None) -> bool | None:
    text = path.strip().lstrip('"')
    if _DRIVE.match(text) or "\\" in text or text.startswith("%"):
        return True
    if text.startswith("/"):
        return windows is True
    return None


def _under(segments: _Pattern, patterns: tuple[_Pattern, ...]) -> bool:
    return any(
        len(segments) >= len(p) and all(q in {"*", s} for q, s in zip(p, segments, strict=False))
        for p in patterns
    )


def folder_segments(path: str, *, windows: bool | None = None) -> tuple[bool, _Pattern] | None:
    """``(is_windows, normalised segments)`` of an absolute path, or None if it is not one.

    ``windows`` is a hint from the device's platform for paths such as ``/Windows/System32``
    that could be either; drive letters and backslashes always mean Windows.
    """
    is_windows = _is_windows_path(path, windows)
    if is_windows is None:
        return None
    segments = _windows_segments(path) if is_windows else _posix_segments(path)
    return None if segments is None else (is_windows, segments)


def classify_folder(path: str, *, windows: bool | None = None) -> FolderClass:
    """The class of the folder ``path`` (a folder or a file's full path) lies in."""
    found = folder_segments(path, windows=windows)
    if found is None:
        return FolderClass.OTHER
    is_windows, segments = found
    temp, core, not_core = _FOLDER_TABLES[is_windows]
    if _under(segments, temp):
        return FolderClass.TEMP
    if _under(segments, core) and not _under(segments, not_core):
        return FolderClass.CORE
    return FolderClass.OTHER


def file_path_of(item: EvidenceItem) -> str | None:
    """The folder of file or process evidence (``fileDetails``/``imageFile.filePath``)."""
    for holder in ("fileDetails", "imageFile"):
        details = item.properties.get(holder)
        path = details.get("filePath") if isinstance(details, Mapping) else None
        if isinstance(path, str) and path.strip():
            return path
    return None
