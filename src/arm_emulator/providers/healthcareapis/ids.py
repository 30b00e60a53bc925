"""HealthcareApis operation ids: 25 lower-case base-36 characters, as the real service issues."""

from __future__ import annotations

import random
import string

_ALPHABET = string.ascii_lowercase + string.digits
_LENGTH = 25
# A random byte below 252 (7 x 36) is a character, each equally likely; the 4 above are dropped.
_CHARACTER_OF_BYTE = bytes(ord(_ALPHABET[i % 36]) for i in range(252)) + bytes(4)
_DROPPED = bytes(range(252, 256))


def new_operation_id(_request_id: str) -> str:
    # An id, not a secret (`random`, like request ids): random bytes mapped in one C call, a tenth of
    # drawing 25 characters one by one.
    while True:
        characters = random.randbytes(_LENGTH + 7).translate(_CHARACTER_OF_BYTE, _DROPPED)
        if len(characters) >= _LENGTH:  # fewer than 25 of 32 kept: about once in 30 million ids
            return characters[:_LENGTH].decode("ascii")
