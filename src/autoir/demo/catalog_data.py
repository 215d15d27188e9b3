"""App governance and data loss prevention detections."""

from __future__ import annotations

from autoir.demo.catalog_sources import (
    APPG as _APPG,
)
from autoir.demo.catalog_sources import (
    DLP as _DLP,
)
from autoir.demo.catalog_sources import (
    DLP_ACTIONS as _DLP_ACTIONS,
)
from autoir.demo.catalog_sources import (
    DLPS as _DLPS,
)
from autoir.demo.catalog_sources import (
    OAUTH as _OAUTH,
)
from autoir.demo.kinds import AlertKind, Shape, kind

DATA_KINDS: tuple[AlertKind, ...] = (
    kind(
        "appg.mail-read",
        "App with suspicious OAuth scopes made graph calls to read email",
        _APPG,
        "appGovernanceDetection",
        "Collection",
        "medium",
        "T1114.002",
        Shape.NONE,
        0,
        "A recently consented app with high-privilege mail scopes read many messages through "
        "Microsoft Graph.",
        _OAUTH,
        tp="compromisedAccount",
    ),
    kind(
        "appg.consent-phish",
        "Suspicious OAuth app consented from a phishing link",
        _APPG,
        "appGovernanceDetection",
        "InitialAccess",
        "high",
        "T1528 T1566.002",
        Shape.NONE,
        0,
        "A user consented to an app with a suspicious publisher right after opening a link.",
        _OAUTH,
        tp="phishing",
    ),
    kind(
        "appg.overprivileged",
        "Overprivileged app detected",
        _APPG,
        "appGovernancePolicy",
        "Persistence",
        "low",
        "T1098.003",
        Shape.OAUTH,
        0.6,
        "App policy: an app holds Graph permissions it has not used in 90 days.",
        _OAUTH,
        tp_rate=0.0,
        benign="lineOfBusinessApplication",
    ),
    kind(
        "dlp.credit-cards",
        "DLP policy match: credit card numbers shared externally",
        _DLP,
        _DLPS,
        "Exfiltration",
        "medium",
        "T1567 T1048",
        Shape.DLP,
        1.5,
        "Content with credit card numbers was shared with people outside the organisation.",
        _DLP_ACTIONS,
        tp_rate=0.2,
        tp="maliciousUserActivity",
        benign="lineOfBusinessApplication",
    ),
    kind(
        "dlp.usb",
        "DLP policy match: files copied to removable media",
        _DLP,
        _DLPS,
        "Exfiltration",
        "low",
        "T1052.001",
        Shape.DLP,
        1,
        "Files labelled Confidential were copied to a USB drive.",
        _DLP_ACTIONS,
        tp_rate=0.1,
        tp="maliciousUserActivity",
        benign="confirmedActivity",
    ),
    kind(
        "dlp.personal-cloud",
        "DLP policy match: sensitive data uploaded to personal cloud storage",
        _DLP,
        _DLPS,
        "Exfiltration",
        "medium",
        "T1567.002",
        Shape.DLP,
        0.8,
        "A file with sensitive content was uploaded to an unsanctioned cloud storage service.",
        _DLP_ACTIONS,
        tp_rate=0.2,
        tp="maliciousUserActivity",
        benign="confirmedActivity",
    ),
    kind(
        "dlp.ssn-email",
        "DLP policy match: U.S. Social Security numbers sent by email",
        _DLP,
        _DLPS,
        "Exfiltration",
        "medium",
        "T1048.003",
        Shape.DLP,
        0.7,
        "An email containing U.S. Social Security numbers was sent to an external recipient.",
        _DLP_ACTIONS,
        tp_rate=0.1,
        benign="lineOfBusinessApplication",
    ),
)
