"""analyzer.user: impossible travel, new country, failure bursts, external forwarding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autoir.analyzers.users import PLUGIN, UserAnalyzer
from autoir.domain.alerts.enums import EvidenceVerdict
from autoir.domain.telemetry.signins import SignIn, SignInLocation
from autoir.domain.verdicts.observables import UserActivitySubject
from autoir.ports.analyzer import AnalysisContext

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
CONTEXT = AnalysisContext(now=NOW)
PARIS = SignInLocation(country="FR", city="Paris", latitude=48.86, longitude=2.35)
LYON = SignInLocation(country="FR", city="Lyon", latitude=45.76, longitude=4.84)
SYDNEY = SignInLocation(country="AU", city="Sydney", latitude=-33.87, longitude=151.21)
_counter = iter(range(1_000_000))


def sign_in(
    hours_ago: float, where: SignInLocation, *, success: bool = True, ip: str = "192.0.2.10"
) -> SignIn:
    return SignIn(
        id=f"s{next(_counter)}",
        user="alice@contoso.com",
        time=NOW - timedelta(hours=hours_ago),
        success=success,
        error_code=0 if success else 50126,
        ip=ip,
        location=where,
    )


def judge(
    *sign_ins: SignIn, forwarding: tuple[str, ...] | None = None
) -> tuple[EvidenceVerdict, set[str]]:
    subject = UserActivitySubject(
        "alice@contoso.com", tuple(sign_ins), NOW - timedelta(days=30), NOW, forwarding
    )
    report = UserAnalyzer().analyze(subject, CONTEXT)
    return report.verdict, {r.code for r in report.reasons}


def history() -> list[SignIn]:
    return [sign_in(24 * day, PARIS if day % 2 else LYON) for day in range(3, 12)]


def test_ordinary_history_is_no_threat() -> None:
    verdict, codes = judge(*history(), sign_in(1, PARIS))
    assert (verdict, codes) == (EvidenceVerdict.NO_THREATS_FOUND, set())


def test_impossible_travel_and_a_new_country_together_are_suspicious() -> None:
    verdict, codes = judge(*history(), sign_in(3, PARIS), sign_in(1, SYDNEY, ip="203.0.113.5"))
    assert codes == {"user.impossible_travel", "user.new_country"}
    assert verdict is EvidenceVerdict.SUSPICIOUS


def test_a_drive_between_cities_is_not_impossible_travel() -> None:
    verdict, codes = judge(*history(), sign_in(5, PARIS), sign_in(1, LYON))
    assert "user.impossible_travel" not in codes
    assert verdict is EvidenceVerdict.NO_THREATS_FOUND


def test_without_history_no_country_is_new() -> None:
    _, codes = judge(sign_in(1, SYDNEY))
    assert codes == set()


def test_failure_burst_then_success_from_a_failing_address_is_malicious() -> None:
    failures = [sign_in(2 - i / 60, SYDNEY, success=False, ip="203.0.113.5") for i in range(12)]
    verdict, codes = judge(*history(), *failures, sign_in(1.7, SYDNEY, ip="203.0.113.5"))
    assert {"user.failure_burst", "user.success_after_failure_burst"} <= codes
    assert verdict is EvidenceVerdict.MALICIOUS


def test_a_burst_without_success_is_a_finding_only() -> None:
    failures = [sign_in(2 - i / 60, PARIS, success=False) for i in range(12)]
    verdict, codes = judge(*history(), *failures)
    assert codes == {"user.failure_burst"}
    assert verdict is EvidenceVerdict.SUSPICIOUS


def test_nine_failures_are_not_a_burst_at_the_default_threshold() -> None:
    failures = [sign_in(2 - i / 60, PARIS, success=False) for i in range(9)]
    _, codes = judge(*history(), *failures, sign_in(1.5, PARIS))
    assert codes == set()


def test_external_forwarding_is_suspicious_and_unknown_forwarding_is_not_examined() -> None:
    verdict, codes = judge(forwarding=("drop@evil.example",))
    assert (verdict, codes) == (EvidenceVerdict.SUSPICIOUS, {"user.external_forwarding"})
    verdict, codes = judge()
    assert verdict is EvidenceVerdict.UNKNOWN


def test_thresholds_come_from_settings() -> None:
    analyzer = PLUGIN.create({"failure_burst": 3})
    failures = [sign_in(2 - i / 60, PARIS, success=False) for i in range(3)]
    subject = UserActivitySubject(
        "alice@contoso.com", tuple(failures), NOW - timedelta(days=30), NOW
    )
    assert {r.code for r in analyzer.analyze(subject, CONTEXT).reasons} == {"user.failure_burst"}
