from __future__ import annotations

import re
from datetime import UTC, datetime

from autoir.domain.alerts.draft import parse_alert
from autoir.domain.alerts.enums import DetectionSource, ServiceSource
from autoir.domain.alerts.ids import make_alert_id
from autoir.domain.errors import FieldError

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def test_make_alert_id_keeps_the_guid_and_varies_only_the_prefix() -> None:
    guid = "0b5c1b0e-8f2e-4c59-9d77-2f2d7f1f3a10"
    assert (
        make_alert_id(ServiceSource.MICROSOFT_365_DEFENDER, DetectionSource.CUSTOM_DETECTION, guid)
        == "ea" + guid
    )
    assert (
        make_alert_id(
            ServiceSource.MICROSOFT_DEFENDER_FOR_ENDPOINT, DetectionSource.CUSTOM_DETECTION, guid
        )
        == "ed" + guid
    )
    assert (
        make_alert_id(ServiceSource.MICROSOFT_SENTINEL, DetectionSource.SCHEDULED_ALERTS, guid)
        == "sn" + guid
    )
    assert make_alert_id(ServiceSource.UNKNOWN, DetectionSource.UNKNOWN, guid) == "xa" + guid


def test_parse_alert_defaults_and_document() -> None:
    errors: list[FieldError] = []
    draft = parse_alert(
        {
            "title": " T ",
            "serviceSource": "microsoftDefenderForEndpoint",
            "id": "src-1",
            "incidentId": "9",
            "extra": True,
            "status": "resolved",
        },
        "value[0]",
        NOW,
        errors,
    )
    assert errors == []
    assert draft is not None
    assert draft.title == "T"
    assert draft.provider_alert_id == "src-1"
    assert draft.created == draft.first_activity == draft.last_activity == NOW
    assert draft.document["extra"] is True
    assert "incidentId" not in draft.document
    assert "status" not in draft.document
    assert re.fullmatch("[0-9a-f]{40}", draft.fingerprint)


def test_fingerprint_depends_on_detector_and_primary_evidence() -> None:
    def fp(**overrides: object) -> str:
        errors: list[FieldError] = []
        body = {
            "title": "T",
            "serviceSource": "microsoftDefenderForEndpoint",
            "detectorId": "D",
            "evidence": [
                {"@odata.type": "#microsoft.graph.security.deviceEvidence", "mdeDeviceId": "x"}
            ],
        }
        body.update(overrides)
        draft = parse_alert(body, "v", NOW, errors)
        assert draft is not None
        return draft.fingerprint

    assert fp() == fp(title="Other title")
    assert fp() != fp(detectorId="E")
    assert fp() != fp(
        evidence=[{"@odata.type": "#microsoft.graph.security.deviceEvidence", "mdeDeviceId": "y"}]
    )
