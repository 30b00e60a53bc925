"""HealthcareApis operation ids: 25 lower-case base-36 characters, as the real service issues."""

from __future__ import annotations

import random
import string

_ALPHABET = string.ascii_lowercase + string.digits
_LENGTH = 25


def new_operation_id(_request_id: str) -> str:
    # An id, not a secret (`random`, like request ids): one call instead of 25 digit draws.
    return "".join(random.choices(_ALPHABET, k=_LENGTH))
