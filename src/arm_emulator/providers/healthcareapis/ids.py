"""HealthcareApis operation ids: 25 lower-case base-36 characters, as the real service issues."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def new_operation_id(_request_id: str) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(25))
