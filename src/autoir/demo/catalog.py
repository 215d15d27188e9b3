"""All alert kinds of the demo tenant, by key."""

from __future__ import annotations

from autoir.demo.catalog_cloud import CLOUD_KINDS
from autoir.demo.catalog_data import DATA_KINDS
from autoir.demo.catalog_email import EMAIL_KINDS
from autoir.demo.catalog_endpoint import ENDPOINT_KINDS
from autoir.demo.kinds import AlertKind

CATALOG: dict[str, AlertKind] = {
    k.key: k for k in (*EMAIL_KINDS, *ENDPOINT_KINDS, *CLOUD_KINDS, *DATA_KINDS)
}

# Kinds that also occur as background noise, with their relative weights.
NOISE_KINDS: tuple[AlertKind, ...] = tuple(k for k in CATALOG.values() if k.noise_weight > 0)


def alert_kind(key: str) -> AlertKind:
    """The catalog entry for ``key``.

    Raises:
        KeyError: if there is no such kind.
    """
    return CATALOG[key]
