"""analyzer.indicators and analyzer.file: allow wins, block decides, prevalence and YARA."""

from __future__ import annotations

import hashlib

from autoir.analyzers.files import FileAnalyzer
from autoir.analyzers.indicators import IndicatorAnalyzer
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.indicators.indicator import (
    Indicator,
    IndicatorAction,
    IndicatorSet,
    IndicatorType,
)
from autoir.domain.messages.message import MessageUrl
from autoir.domain.verdicts.observables import EmailSubject, FileSubject, Observable, ObservableKind
from tests.unit.analyzers.builders import NOW, attachment, context, email

PAYLOAD = b"hello world"
SHA = hashlib.sha256(PAYLOAD).hexdigest()


def indicators(*entries: tuple[IndicatorType, str, IndicatorAction]) -> IndicatorSet:
    return IndicatorSet(
        [Indicator(str(n), t, v, a, f"rule {n}") for n, (t, v, a) in enumerate(entries)], now=NOW
    )


def test_block_on_a_url_domain_makes_the_message_malicious_and_authoritative() -> None:
    message = email(urls=(MessageUrl("https://dl.evil.example/a.zip"),))
    ctx = context(
        indicators=indicators((IndicatorType.DOMAIN_NAME, "evil.example", IndicatorAction.BLOCK))
    )
    report = IndicatorAnalyzer().analyze(EmailSubject(message), ctx)
    assert report.verdict is EvidenceVerdict.MALICIOUS
    assert report.authoritative
    assert report.reasons[0].code == "indicator.blocked"


def test_allow_wins_over_block() -> None:
    message = email(attachments=(attachment("a.txt", PAYLOAD),))
    ctx = context(
        indicators=indicators(
            (IndicatorType.FILE_SHA256, SHA, IndicatorAction.BLOCK),
            (IndicatorType.EMAIL_ADDRESS, "alice@fabrikam.com", IndicatorAction.ALLOWED),
        )
    )
    report = IndicatorAnalyzer().analyze(EmailSubject(message), ctx)
    assert report.verdict is EvidenceVerdict.NO_THREATS_FOUND
    assert report.authoritative


def test_no_indicators_or_no_match_is_unknown() -> None:
    observable = Observable(ObservableKind.IP, "198.51.100.1")
    assert IndicatorAnalyzer().analyze(observable, context()).verdict is EvidenceVerdict.UNKNOWN
    ctx = context(
        indicators=indicators((IndicatorType.IP_ADDRESS, "198.51.100.2", IndicatorAction.BLOCK))
    )
    report = IndicatorAnalyzer().analyze(observable, ctx)
    assert report.verdict is EvidenceVerdict.UNKNOWN
    assert not report.authoritative


def test_file_hash_block_and_prevalence() -> None:
    subject = FileSubject("a.bin", SHA, PAYLOAD)
    blocked = context(
        indicators=indicators((IndicatorType.FILE_SHA256, SHA, IndicatorAction.BLOCK_AND_REMEDIATE))
    )
    report = FileAnalyzer().analyze(subject, blocked)
    assert report.verdict is EvidenceVerdict.MALICIOUS
    assert report.authoritative
    common = FileAnalyzer().analyze(subject, context(file_prevalence=lambda _sha: 500))
    assert [r.code for r in common.reasons] == ["file.prevalent"]
    assert common.verdict is EvidenceVerdict.NO_THREATS_FOUND
    rare = FileAnalyzer().analyze(
        Observable(ObservableKind.FILE_SHA256, SHA), context(file_prevalence=lambda _sha: 1)
    )
    assert [r.code for r in rare.reasons] == ["file.rare"]


def test_file_yara_hit_from_builtin_rules() -> None:
    script = b'var s = new ActiveXObject("WScript.Shell"); s.Run("cmd /c calc");'
    subject = FileSubject("x.js", hashlib.sha256(script).hexdigest(), script)
    report = FileAnalyzer().analyze(subject, context())
    assert "yara.AutoIR_Windows_Script_Host_Dropper" in {r.code for r in report.reasons}
    assert report.verdict is EvidenceVerdict.MALICIOUS
