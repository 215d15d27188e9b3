"""Where raw messages come from: ``.eml`` files, folders of them, and mbox files.

:func:`iter_message_sources` yields one :class:`MessageSource` per message, in a stable order
(arguments in order; folders walked recursively, sorted by path; mbox entries in file order).
A source that cannot be read is yielded with its error instead of raising, so one bad file never
stops an ingest. In folders only ``*.eml`` and ``*.mbox`` files are read (manifests, licences
and other files beside the mail are skipped); a file named explicitly is read whatever its name,
as mbox when it starts with an mbox ``From `` line.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
EML_SUFFIXES = frozenset({".eml"})
MBOX_SUFFIXES = frozenset({".mbox", ".mbx"})


@dataclass(frozen=True, slots=True)
class MessageSource:
    """One raw message and where it came from; ``raw`` is ``None`` when ``error`` says why."""

    label: str
    raw: bytes | None = field(default=None, repr=False)
    error: str | None = None


def iter_message_sources(paths: Iterable[Path]) -> Iterator[MessageSource]:
    """Raw messages from files, folders (recursive) and mbox files (rules in the module doc)."""
    for path in paths:
        if path.is_dir():
            yield from _folder(path)
        elif path.exists():
            yield from _file(path, explicit=True)
        else:
            yield MessageSource(str(path), error="no such file or directory")


def _folder(folder: Path) -> Iterator[MessageSource]:
    try:
        files = sorted(
            p
            for p in folder.rglob("*")
            if p.suffix.lower() in EML_SUFFIXES | MBOX_SUFFIXES and p.is_file()
        )
    except OSError as exc:
        yield MessageSource(str(folder), error=f"cannot list folder: {exc.strerror or exc}")
        return
    for path in files:
        yield from _file(path, explicit=False)


def _file(path: Path, *, explicit: bool) -> Iterator[MessageSource]:
    label = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_MESSAGE_BYTES and path.suffix.lower() not in MBOX_SUFFIXES:
            yield MessageSource(label, error=f"larger than {MAX_MESSAGE_BYTES} bytes")
            return
        with path.open("rb") as handle:
            head = handle.read(5)
    except OSError as exc:
        yield MessageSource(label, error=f"cannot read: {exc.strerror or exc}")
        return
    is_mbox = path.suffix.lower() in MBOX_SUFFIXES or (explicit and head == b"From ")
    if is_mbox:
        yield from _mbox(path)
        return
    try:
        yield MessageSource(label, raw=path.read_bytes())
    except OSError as exc:
        yield MessageSource(label, error=f"cannot read: {exc.strerror or exc}")


def _mbox(path: Path) -> Iterator[MessageSource]:
    try:
        box = mailbox.mbox(path, create=False)
        keys = list(box.iterkeys())
    except (OSError, mailbox.Error) as exc:
        yield MessageSource(str(path), error=f"cannot read mbox: {exc}")
        return
    try:
        for number, key in enumerate(keys, start=1):
            label = f"{path}#{number}"
            try:
                raw = box.get_bytes(key)
            except (OSError, mailbox.Error, KeyError) as exc:
                yield MessageSource(label, error=f"cannot read mbox entry: {exc}")
                continue
            if len(raw) > MAX_MESSAGE_BYTES:
                yield MessageSource(label, error=f"larger than {MAX_MESSAGE_BYTES} bytes")
            else:
                yield MessageSource(label, raw=raw)
    finally:
        box.close()
