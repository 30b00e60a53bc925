"""HealthcareApis operation ids: 25 lower-case base-36 characters, as the real service issues."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits
_LENGTH = 25
_BITS = 130  # 36**25 < 2**130: one draw gives every digit (one call instead of 25 `secrets.choice`)


def new_operation_id(_request_id: str) -> str:
    number = secrets.randbits(_BITS)
    digits = []
    for _ in range(_LENGTH):
        number, digit = divmod(number, 36)
        digits.append(_ALPHABET[digit])
    return "".join(digits)
