"""The part every built-in analyzer shares: its id and accepted subjects come from its manifest."""

from __future__ import annotations

from typing import ClassVar

from autoir.domain.verdicts.observables import ObservableKind
from autoir.plugins.manifest import Manifest


class ManifestedAnalyzer:
    """Base of the built-in analyzers: ``id`` and ``observable_kinds`` read ``MANIFEST``."""

    MANIFEST: ClassVar[Manifest]

    @property
    def id(self) -> str:
        """Dotted id (the manifest's)."""
        return self.MANIFEST.id

    @property
    def observable_kinds(self) -> frozenset[ObservableKind]:
        """Accepted subjects (the manifest's)."""
        return self.MANIFEST.observable_kinds
