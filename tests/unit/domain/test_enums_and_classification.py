from __future__ import annotations

import pytest

from autoir.domain.alerts.classification import is_determination_allowed
from autoir.domain.alerts.enums import (
    AlertClassification,
    AlertDetermination,
    AlertSeverity,
    ServiceSource,
    parse_enum,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("high", AlertSeverity.HIGH),
        ("HIGH", AlertSeverity.HIGH),
        ("Informational", AlertSeverity.INFORMATIONAL),
        ("extreme", None),
        ("", None),
    ],
)
def test_parse_enum_ignores_case_and_rejects_unknown(
    raw: str, expected: AlertSeverity | None
) -> None:
    assert parse_enum(AlertSeverity, raw) is expected


def test_parse_enum_accepts_documented_aliases() -> None:
    assert (
        parse_enum(AlertDetermination, "CompromisedUser") is AlertDetermination.COMPROMISED_ACCOUNT
    )
    assert parse_enum(AlertDetermination, "Clean") is AlertDetermination.NOT_MALICIOUS
    assert (
        parse_enum(AlertDetermination, "InsufficientData")
        is AlertDetermination.NOT_ENOUGH_DATA_TO_VALIDATE
    )
    assert (
        parse_enum(AlertClassification, "benignPositive")
        is AlertClassification.INFORMATIONAL_EXPECTED_ACTIVITY
    )
    assert (
        parse_enum(ServiceSource, "MICROSOFTDEFENDERFOROFFICE365")
        is ServiceSource.MICROSOFT_DEFENDER_FOR_OFFICE365
    )


def test_severity_rank_orders_severities() -> None:
    ranked = sorted(AlertSeverity, key=lambda s: s.rank)
    assert (
        ranked.index(AlertSeverity.HIGH)
        > ranked.index(AlertSeverity.MEDIUM)
        > ranked.index(AlertSeverity.LOW)
    )


@pytest.mark.parametrize(
    ("classification", "determination", "allowed"),
    [
        (AlertClassification.TRUE_POSITIVE, AlertDetermination.MALWARE, True),
        (AlertClassification.TRUE_POSITIVE, AlertDetermination.NOT_MALICIOUS, False),
        (AlertClassification.FALSE_POSITIVE, AlertDetermination.NOT_ENOUGH_DATA_TO_VALIDATE, True),
        (AlertClassification.FALSE_POSITIVE, AlertDetermination.PHISHING, False),
        (
            AlertClassification.INFORMATIONAL_EXPECTED_ACTIVITY,
            AlertDetermination.SECURITY_TESTING,
            True,
        ),
        (AlertClassification.INFORMATIONAL_EXPECTED_ACTIVITY, AlertDetermination.MALWARE, False),
        (None, AlertDetermination.MALWARE, False),
        (None, AlertDetermination.UNKNOWN, True),
        (AlertClassification.FALSE_POSITIVE, AlertDetermination.OTHER, True),
    ],
)
def test_determination_must_belong_to_classification(
    classification: AlertClassification | None, determination: AlertDetermination, allowed: bool
) -> None:
    assert is_determination_allowed(classification, determination) is allowed
