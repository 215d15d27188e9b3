"""YARA signatures: AutoIR's own rules (``rules/*.yar``) plus rule folders the user adds.

Shared by the attachment and file analyzers. Imports the domain only (and yara-python).
"""

from autoir.analyzers.signatures.scanner import SignatureMatch, YaraScanner, load_scanner

__all__ = ["SignatureMatch", "YaraScanner", "load_scanner"]
