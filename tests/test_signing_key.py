"""The token-signing key in the data dir: made on first start, parsed when a token first needs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from arm_emulator.clock import Clock
from arm_emulator.identity.directory import load_directory
from arm_emulator.identity.keys import KEY_FILE, load_signing_key
from arm_emulator.identity.tokens import TokenService


def test_a_restart_parses_the_key_only_when_a_token_needs_it(tmp_path: Path) -> None:
    made = load_signing_key(tmp_path)
    check = (
        "import sys; from pathlib import Path; from arm_emulator.identity.keys import load_signing_key; "
        f"key = load_signing_key(Path({str(tmp_path)!r})); "
        "print('cryptography' in sys.modules, key.kid, 'cryptography' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=True)
    assert run.stdout.split() == ["False", made.kid, "True"]


def test_tokens_signed_with_the_reloaded_key_verify_against_its_jwks(tmp_path: Path) -> None:
    made = load_signing_key(tmp_path)
    key = load_signing_key(tmp_path)
    assert key.jwks() == made.jwks()
    app = load_directory(tmp_path, tenant_id=None, registrations_file=None).default_app
    tokens = TokenService(key, Clock(), 3600)
    issued = tokens.issue(app, audience="https://management.azure.com/", issuer="https://issuer/", version="2.0")
    public = jwt.PyJWK(made.jwks()["keys"][0]).key
    claims = jwt.decode(issued.access_token, public, algorithms=["RS256"], audience="https://management.azure.com/")
    assert claims["appid"] == app.client_id
    assert tokens.verify(issued.access_token, lambda audience: True)["appid"] == app.client_id


def test_a_key_file_that_is_not_rsa_still_fails_the_start(tmp_path: Path) -> None:
    load_signing_key(tmp_path)  # a good key first, so the replacement is one not seen before
    other = ec.generate_private_key(ec.SECP256R1())
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / KEY_FILE).write_bytes(pem)
    with pytest.raises(ValueError, match="not an RSA private key"):
        load_signing_key(tmp_path)
