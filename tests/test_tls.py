"""The local CA and server certificate in the data dir."""

from __future__ import annotations

import ipaddress
import subprocess
import sys
from pathlib import Path

from cryptography import x509

from arm_emulator.tls import ensure_certificates


def _names(cert_file: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(name.value) for name in sans}


def test_first_start_makes_a_ca_and_a_certificate_for_local_names(tmp_path: Path) -> None:
    files = ensure_certificates(tmp_path, [])
    assert files.ca_file is not None
    assert _names(files.cert_file) == {"localhost", str(ipaddress.ip_address("127.0.0.1")), "::1"}
    ca = x509.load_pem_x509_certificate(files.ca_file.read_bytes())
    server = x509.load_pem_x509_certificate(files.cert_file.read_bytes())
    server.verify_directly_issued_by(ca)
    assert oct(files.key_file.stat().st_mode & 0o777) == "0o600"


def test_later_starts_reuse_them_and_new_host_names_reissue_only_the_certificate(tmp_path: Path) -> None:
    first = ensure_certificates(tmp_path, [])
    assert first.ca_file is not None
    ca_bytes, cert_bytes = first.ca_file.read_bytes(), first.cert_file.read_bytes()
    again = ensure_certificates(tmp_path, [])
    assert again.cert_file.read_bytes() == cert_bytes
    widened = ensure_certificates(tmp_path, ["arm-emulator", "10.1.2.3"])
    assert widened.ca_file is not None and widened.ca_file.read_bytes() == ca_bytes
    assert {"arm-emulator", "10.1.2.3"} <= _names(widened.cert_file)


def test_a_restart_with_the_same_files_reuses_them_without_loading_cryptography(tmp_path: Path) -> None:
    first = ensure_certificates(tmp_path, ["arm-emulator"])
    check = (
        "import sys; from pathlib import Path; from arm_emulator.tls import ensure_certificates; "
        f"ensure_certificates(Path({str(tmp_path)!r}), ['arm-emulator', '127.0.0.1']); "
        "print('cryptography' in sys.modules)"
    )
    loaded = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=True)
    assert loaded.stdout.strip() == "False"
    again = ensure_certificates(tmp_path, ["arm-emulator"])
    assert again.cert_file.read_bytes() == first.cert_file.read_bytes()


def test_a_certificate_replaced_since_the_last_start_is_checked_again(tmp_path: Path) -> None:
    files = ensure_certificates(tmp_path, ["arm-emulator"])
    assert files.ca_file is not None
    # One without the extra name, from another CA: the full check must notice and issue one from ours.
    stranger = ensure_certificates(tmp_path / "other", [])
    files.cert_file.write_bytes(stranger.cert_file.read_bytes())
    again = ensure_certificates(tmp_path, ["arm-emulator"])
    assert "arm-emulator" in _names(again.cert_file)
    ca = x509.load_pem_x509_certificate(files.ca_file.read_bytes())
    x509.load_pem_x509_certificate(again.cert_file.read_bytes()).verify_directly_issued_by(ca)
