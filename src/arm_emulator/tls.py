"""The local CA and server certificate: made on first start, kept in the data dir, reused after."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# cryptography is imported only to make or inspect certificates (see _checked): a restart with the
# same files never loads it (about 8 MB resident and 30 ms of start-up).
if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

DEFAULT_HOSTNAMES = ("localhost", "127.0.0.1", "::1")
_CA_NAME = "ARM Emulator Local CA"
_VALIDITY = dt.timedelta(days=825)
_RENEW_BEFORE = dt.timedelta(days=30)
# What the last full check found in the files, keyed by their SHA-256 (see _checked).
_CHECKED_FILE = "checked.json"


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path | None
    cert_file: Path
    key_file: Path


def _write_private(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    os.chmod(path, 0o600)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _san(hostname: str) -> x509.GeneralName:
    from cryptography import x509

    try:
        return x509.IPAddress(ipaddress.ip_address(hostname))
    except ValueError:
        return x509.DNSName(hostname)


def _load_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if not (cert_path.exists() and key_path.exists()):
        return None
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    if cert.not_valid_after_utc - dt.datetime.now(dt.UTC) < _RENEW_BEFORE:
        return None
    return cert, key


def _new_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, _CA_NAME)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(directory / "ca-key.pem", _key_pem(key))
    (directory / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _server_cert_is_usable(directory: Path, ca: x509.Certificate, hostnames: list[str]) -> bool:
    cert_path, key_path = directory / "server.pem", directory / "server-key.pem"
    if not (cert_path.exists() and key_path.exists()):
        return False
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    if cert.issuer != ca.subject or cert.not_valid_after_utc - dt.datetime.now(dt.UTC) < _RENEW_BEFORE:
        return False
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    present = {str(n.value) for n in names}
    return all(str(_san(h).value) in present for h in hostnames)


def _new_server_cert(
    directory: Path, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, hostnames: list[str]
) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.SubjectAlternativeName([_san(h) for h in hostnames]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(directory / "server-key.pem", _key_pem(key))
    (directory / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _san_text(hostname: str) -> str:
    # str(_san(hostname).value) without cryptography: IP addresses in their canonical form.
    try:
        return str(ipaddress.ip_address(hostname))
    except ValueError:
        return hostname


def _contents(directory: Path) -> list[bytes]:
    return [(directory / name).read_bytes() for name in ("ca.pem", "ca-key.pem", "server.pem")]


def _digest(contents: list[bytes]) -> str:
    return hashlib.sha256(b"".join(hashlib.sha256(c).digest() for c in contents)).hexdigest()


def _checked(directory: Path, hostnames: list[str]) -> bool:
    """Whether the full check (_load_ca, _server_cert_is_usable) would pass, from what it found last
    time: the same CA, CA key and certificate bytes, both certificates not yet due for renewal, every
    host name among the certificate's names, and the server key still there."""
    try:
        record = json.loads((directory / _CHECKED_FILE).read_text())
        return (
            record["files"] == _digest(_contents(directory))
            and (directory / "server-key.pem").exists()
            and dt.datetime.now(dt.UTC).timestamp() <= record["renewAt"]
            and set(map(_san_text, hostnames)) <= set(record["names"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _record_check(directory: Path) -> None:
    """Called once the files passed the full check (or were just made)."""
    from cryptography import x509

    contents = _contents(directory)
    ca, server = (x509.load_pem_x509_certificate(contents[i]) for i in (0, 2))
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    renew_at = min(ca.not_valid_after_utc, server.not_valid_after_utc) - _RENEW_BEFORE
    record = {
        "files": _digest(contents),
        "renewAt": renew_at.timestamp(),
        "names": sorted(str(n.value) for n in names),
    }
    # Without a writable tls dir every start runs the full check, as it did before.
    with contextlib.suppress(OSError):
        (directory / _CHECKED_FILE).write_text(json.dumps(record))


def ca_file(data_dir: Path) -> Path:
    """Where the local CA's certificate is kept, for clients to trust."""
    return data_dir / "tls" / "ca.pem"


def ensure_certificates(data_dir: Path, extra_hostnames: list[str]) -> TlsFiles:
    """The CA is made once and kept (clients trust it); the server certificate is remade only when
    it expires or the configured host names change."""
    directory = data_dir / "tls"
    directory.mkdir(parents=True, exist_ok=True)
    hostnames = list(dict.fromkeys([*DEFAULT_HOSTNAMES, *extra_hostnames]))
    files = TlsFiles(ca_file(data_dir), directory / "server.pem", directory / "server-key.pem")
    if _checked(directory, hostnames):
        return files
    loaded = _load_ca(directory)
    ca, ca_key = loaded if loaded else _new_ca(directory)
    if loaded is None or not _server_cert_is_usable(directory, ca, hostnames):
        _new_server_cert(directory, ca, ca_key, hostnames)
    _record_check(directory)
    return files
