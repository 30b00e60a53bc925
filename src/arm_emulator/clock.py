"""The one source of time, so operations and tests agree on what "now" is."""

from __future__ import annotations

import functools
import math
import time
from datetime import UTC, datetime


class Clock:
    """Wall-clock seconds since the epoch (operations persist these, so they survive restarts),
    plus an offset that tests move forward instead of sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def reset(self) -> None:
        self.offset = 0.0


@functools.lru_cache(maxsize=64)
def _whole_seconds(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.")


def iso8601(epoch_seconds: float) -> str:
    """ARM's timestamp form: UTC, seven fractional digits, `Z` (as the real services send). Every
    write stamps one; the date part is formatted once a second."""
    fraction, whole = math.modf(epoch_seconds)
    seconds, microseconds = divmod(int(whole) * 1_000_000 + round(fraction * 1_000_000), 1_000_000)  # as datetime
    return f"{_whole_seconds(seconds)}{microseconds:06d}0Z"
