"""The token-signing key: RSA, made on first start and kept in the data dir, published as a JWKS."""

from __future__ import annotations

import base64
import contextlib
import hashlib
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

# cryptography is imported where a key is made or parsed: a restart that serves no token never
# loads it (about 8 MB resident and 30 ms of start-up).
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

KEY_FILE = "token-signing-key.pem"
# The SHA-256 of the key file as last found to hold an RSA key. A restart with the same file
# parses it on first use instead: OpenSSL's RSA consistency check alone takes about 45 ms.
CHECKED_FILE = "token-signing-key.checked"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class SigningKey:
    """The key file's content as read at start; parsed once, when a token or the JWKS first needs it."""

    def __init__(self, path: Path, pem: bytes, private_key: rsa.RSAPrivateKey | None = None) -> None:
        self.path = path
        self.pem = pem
        self._private_key = private_key

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        if self._private_key is None:
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import rsa

            key = serialization.load_pem_private_key(self.pem, password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise ValueError(f"{self.path} is not an RSA private key")
            self._private_key = key
        return self._private_key

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    @cached_property
    def kid(self) -> str:
        from cryptography.hazmat.primitives import serialization

        der = self.public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:20]).decode().rstrip("=")

    def jwks(self) -> dict[str, Any]:
        numbers = self.public_key.public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": self.kid,
                    "n": _b64url_uint(numbers.n),
                    "e": _b64url_uint(numbers.e),
                }
            ]
        }


def _new_key() -> tuple[rsa.RSAPrivateKey, bytes]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key, pem


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):
        return None


def load_signing_key(data_dir: Path) -> SigningKey:
    """Makes the key on first start. A key file not seen before is parsed now, so that a bad one still
    fails the start rather than the first token request."""
    path = data_dir / KEY_FILE
    if path.exists():
        key = SigningKey(path, path.read_bytes())
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        private_key, pem = _new_key()
        path.write_bytes(pem)
        path.chmod(0o600)
        key = SigningKey(path, pem, private_key)
    checked, digest = data_dir / CHECKED_FILE, hashlib.sha256(key.pem).hexdigest()
    if _read_text(checked) != digest:
        key.private_key  # noqa: B018 - parsed for its check
        # Without a writable data dir every start checks the key again, as it did before.
        with contextlib.suppress(OSError):
            checked.write_text(digest)
    return key
