"""HealthcareApis operation ids: 25 lower-case base-36 characters, as the real service issues.

The first 9 are the time in base 36 (about a millisecond a step, digits before letters, so they sort
as the time does), the other 16 random. The operations' primary-key index then takes each new id next
to the last ones, in a page already written, instead of in a random page of the whole index: one
written page fewer per create on a large store (benchmarks/analysis.md).
"""

from __future__ import annotations

import random
import string
import time

# In byte order: a larger number is a later string.
_DIGITS = string.digits + string.ascii_lowercase
_TIME_LENGTH = 9  # 36**9 steps of 2**20 ns: some 3,300 years from 1970
_RANDOM_LENGTH = 16
# A random byte below 252 (7 x 36) is a character, each equally likely; the 4 above are dropped.
_CHARACTER_OF_BYTE = bytes(ord(_DIGITS[i % 36]) for i in range(252)) + bytes(4)
_DROPPED = bytes(range(252, 256))

_last_step = -1
_last_prefix = ""


def _time_prefix() -> str:
    """The present time's 9 characters, recomputed once a step."""
    global _last_step, _last_prefix
    step = time.time_ns() >> 20
    if step != _last_step:
        digits = []
        value = step
        for _ in range(_TIME_LENGTH):
            value, digit = divmod(value, 36)
            digits.append(_DIGITS[digit])
        _last_step, _last_prefix = step, "".join(reversed(digits))
    return _last_prefix


def new_operation_id(_request_id: str) -> str:
    # An id, not a secret (`random`, like request ids): random bytes mapped in one C call.
    while True:
        characters = random.randbytes(_RANDOM_LENGTH + 6).translate(_CHARACTER_OF_BYTE, _DROPPED)
        if len(characters) >= _RANDOM_LENGTH:  # fewer than 16 of 22 kept: about once in 30 million ids
            return _time_prefix() + characters[:_RANDOM_LENGTH].decode("ascii")
