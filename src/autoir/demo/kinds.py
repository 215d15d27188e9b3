"""The :class:`AlertKind` record: one detector of one product, as the catalog lists them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from autoir.demo.primitives import stable_guid


class Shape(StrEnum):
    """Which evidence a background (noise) alert of a kind carries."""

    NONE = "none"  # scenario only
    MAIL_REPORTED = "mailReported"
    MAIL_CLICK = "mailClick"
    MAIL_CLUSTER_URL = "mailClusterUrl"
    MAIL_CLUSTER_FILE = "mailClusterFile"
    MAIL_OUTBOUND = "mailOutbound"
    MAILBOX_RULE = "mailboxRule"
    WIN_PROCESS = "winProcess"
    WIN_FILE = "winFile"
    WIN_REGISTRY = "winRegistry"
    WIN_NETWORK = "winNetwork"
    LINUX_PROCESS = "linuxProcess"
    IDENTITY = "identity"
    SIGN_IN = "signIn"
    CLOUD_ACTIVITY = "cloudActivity"
    DLP = "dlp"
    OAUTH = "oauth"


SERVICE_PRODUCTS = {
    "microsoftDefenderForEndpoint": "Microsoft Defender for Endpoint",
    "microsoftDefenderForOffice365": "Microsoft Defender for Office 365",
    "microsoftDefenderForIdentity": "Microsoft Defender for Identity",
    "microsoftDefenderForCloudApps": "Microsoft Defender for Cloud Apps",
    "azureAdIdentityProtection": "Microsoft Entra ID Protection",
    "microsoftAppGovernance": "App governance",
    "dataLossPrevention": "Microsoft Purview Data Loss Prevention",
    "microsoft365Defender": "Microsoft Defender XDR",
}


@dataclass(frozen=True, slots=True)
class AlertKind:
    """One alert type: its fixed Graph properties and how it behaves as background noise.

    ``title`` may contain ``{family}``, filled in with the threat family (antivirus alerts).
    ``noise_weight`` is the relative frequency in the background queue (0: scenarios only).
    When a background alert is resolved, it is a true positive with probability ``tp_rate``
    (determination ``tp``); otherwise ``benign`` is the determination used when it is
    classified as expected activity.
    """

    key: str
    title: str
    service: str
    detection: str
    category: str
    severity: str
    mitre: tuple[str, ...]
    shape: Shape
    noise_weight: float
    description: str
    actions: str
    tp_rate: float = 0.2
    tp: str = "other"
    benign: str = "confirmedActivity"

    @property
    def detector_id(self) -> str:
        """A GUID that is the same for every alert of this kind, in every tenant."""
        return stable_guid(f"autoir-demo/detector/{self.key}")

    @property
    def product_name(self) -> str:
        """``productName`` of the service that raises this kind."""
        return SERVICE_PRODUCTS[self.service]


def kind(
    key: str,
    title: str,
    service: str,
    detection: str,
    category: str,
    severity: str,
    mitre: str,
    shape: Shape,
    weight: float,
    description: str,
    actions: str,
    *,
    tp_rate: float = 0.2,
    tp: str = "other",
    benign: str = "confirmedActivity",
) -> AlertKind:
    """Build a catalog row; ``mitre`` is space-separated technique ids."""
    return AlertKind(
        key=key,
        title=title,
        service=service,
        detection=detection,
        category=category,
        severity=severity,
        mitre=tuple(mitre.split()),
        shape=shape,
        noise_weight=weight,
        description=description,
        actions=actions,
        tp_rate=tp_rate,
        tp=tp,
        benign=benign,
    )
