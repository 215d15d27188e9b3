"""Throw-away TLS certificates for test servers (SMTP, Dovecot, ``autoir serve``).

Each is self-signed and its own CA, so a client trusts exactly it by loading the certificate as
its CA file; the names it is valid for go in its subjectAltName.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def write_self_signed(
    cert_path: Path,
    key_path: Path,
    *,
    addresses: Sequence[str] = ("127.0.0.1",),
    dns_names: Sequence[str] = ("localhost",),
    days: int = 1,
) -> None:
    """Write an EC certificate valid for ``dns_names`` and ``addresses``, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    common = dns_names[0] if dns_names else addresses[0]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
