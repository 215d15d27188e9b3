"""iter_message_sources over files, folders and mbox."""

from __future__ import annotations

from pathlib import Path

from autoir.mime import iter_message_sources, parse_message


def test_folders_are_walked_recursively_sorted_and_skip_other_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.eml").write_bytes(b"Subject: two\r\n\r\nx")
    (tmp_path / "1.EML").write_bytes(b"Subject: one\r\n\r\nx")
    (tmp_path / "manifest.csv").write_text("file,label\n")
    (tmp_path / "LICENSE").write_text("licence")
    labels = [source.label for source in iter_message_sources([tmp_path])]
    assert labels == [str(tmp_path / "1.EML"), str(tmp_path / "b" / "2.eml")]


def test_mbox_entries_are_separate_messages(tmp_path: Path) -> None:
    mbox = tmp_path / "archive"
    mbox.write_bytes(
        b"From alice@example.com Mon Jan  1 00:00:00 2024\n"
        b"Subject: first\n\nbody one\n>From quoted\n\n"
        b"From bob@example.com Mon Jan  1 00:00:01 2024\n"
        b"Subject: second\n\nbody two\n"
    )
    sources = list(iter_message_sources([mbox]))
    assert [s.label for s in sources] == [f"{mbox}#1", f"{mbox}#2"]
    assert [parse_message(s.raw or b"").subject for s in sources] == ["first", "second"]


def test_missing_and_unreadable_sources_are_errors_not_exceptions(tmp_path: Path) -> None:
    locked = tmp_path / "locked.eml"
    locked.write_bytes(b"Subject: x\r\n\r\n")
    locked.chmod(0)
    sources = list(iter_message_sources([tmp_path / "absent.eml", locked, tmp_path / "ok"]))
    assert sources[0].error == "no such file or directory"
    assert sources[0].raw is None
    readable_as_root = sources[1].raw is not None
    assert readable_as_root or (sources[1].error or "").startswith("cannot read")
    assert len(sources) == 3


def test_explicit_file_with_any_name_is_read(tmp_path: Path) -> None:
    path = tmp_path / "message.txt"
    path.write_bytes(b"Subject: hello\r\n\r\nx")
    [source] = iter_message_sources([path])
    assert source.raw == b"Subject: hello\r\n\r\nx"
