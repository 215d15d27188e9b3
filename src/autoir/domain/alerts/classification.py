"""Which determinations belong to which classification (reference §6.2, resolve dialog)."""

from __future__ import annotations

from autoir.domain.alerts.enums import AlertClassification as C
from autoir.domain.alerts.enums import AlertDetermination as D

DETERMINATIONS_BY_CLASSIFICATION: dict[C, frozenset[D]] = {
    C.TRUE_POSITIVE: frozenset(
        {
            D.MULTI_STAGED_ATTACK,
            D.MALICIOUS_USER_ACTIVITY,
            D.COMPROMISED_ACCOUNT,
            D.MALWARE,
            D.PHISHING,
            D.UNWANTED_SOFTWARE,
            D.APT,  # deprecated in MDE (Aug 2022), still a Graph member
            D.OTHER,
        }
    ),
    C.INFORMATIONAL_EXPECTED_ACTIVITY: frozenset(
        {
            D.SECURITY_TESTING,
            D.LINE_OF_BUSINESS_APPLICATION,
            D.CONFIRMED_ACTIVITY,
            D.SECURITY_PERSONNEL,  # deprecated in MDE (Aug 2022), still a Graph member
            D.OTHER,
        }
    ),
    C.FALSE_POSITIVE: frozenset({D.NOT_MALICIOUS, D.NOT_ENOUGH_DATA_TO_VALIDATE, D.OTHER}),
    C.UNKNOWN: frozenset(),
    C.UNKNOWN_FUTURE_VALUE: frozenset(),
}


def is_determination_allowed(classification: C | None, determination: D | None) -> bool:
    """True when ``determination`` may accompany ``classification``.

    ``unknown`` (or no determination) is always allowed: an analyst may classify first and
    determine later.
    """
    if determination is None or determination is D.UNKNOWN:
        return True
    return determination in DETERMINATIONS_BY_CLASSIFICATION.get(classification or C.UNKNOWN, ())
