"""How fast operations walk: the setting, per-type overrides, and per-request overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .errors import ArmError

# A request (header) or a resource (tag) can ask for its own timing; tags reach clients that
# cannot add headers, such as Terraform and az.
MODE_HEADER = "x-ms-emulator-lro-mode"
STEP_HEADER = "x-ms-emulator-lro-step-seconds"
MODE_TAG = "arm-emulator-lro-mode"
STEP_TAG = "arm-emulator-lro-step-seconds"
MODES = ("time", "polls")
# A step is 0 (fast) or between a millisecond and a day: smaller steps overflow the step count.
MIN_STEP_SECONDS = 0.001
MAX_STEP_SECONDS = 24 * 3600


def valid_step(seconds: float) -> bool:
    return seconds == 0 or MIN_STEP_SECONDS <= seconds <= MAX_STEP_SECONDS


@dataclass(frozen=True)
class LroTiming:
    """`time`: a step every `step_seconds` (0 = the first poll sees the end); `polls`: a step per poll."""

    mode: Literal["time", "polls"] = "time"
    step_seconds: float = 0.0

    @property
    def per_poll(self) -> bool:
        return self.mode == "polls"


@dataclass
class TimingOverrides:
    """Set through the control API or a seed file: a default for all, and one per resource type."""

    default: LroTiming | None = None
    by_type: dict[str, LroTiming] = field(default_factory=dict)

    def clear(self) -> None:
        self.default = None
        self.by_type.clear()


def _invalid(source: str, value: str) -> ArmError:
    return ArmError(
        400,
        "InvalidEmulatorTiming",
        f"The {source} value '{value}' is invalid: use '{MODE_HEADER}: time|polls' and '{STEP_HEADER}' of 0 "
        f"or {MIN_STEP_SECONDS} to {MAX_STEP_SECONDS} seconds.",
    )


def _apply(timing: LroTiming, mode: str | None, step: str | None, source: str) -> LroTiming:
    if mode is not None:
        if mode.lower() not in MODES:
            raise _invalid(source, mode)
        timing = LroTiming(mode.lower(), timing.step_seconds)  # type: ignore[arg-type]
    if step is not None:
        try:
            seconds = float(step)
        except ValueError:
            raise _invalid(source, step) from None
        if not valid_step(seconds):
            raise _invalid(source, step)
        timing = LroTiming(timing.mode, seconds)
    return timing


def resolve(
    base: LroTiming,
    overrides: TimingOverrides,
    type_name: str,
    headers: Mapping[str, str],
    tags: Mapping[str, str] | None,
) -> LroTiming:
    """Most specific wins: request header, then resource tag, then type override, then default."""
    timing = overrides.by_type.get(type_name.lower()) or overrides.default or base
    tags = tags or {}
    timing = _apply(timing, tags.get(MODE_TAG), tags.get(STEP_TAG), "tag")
    return _apply(timing, headers.get(MODE_HEADER), headers.get(STEP_HEADER), "header")
