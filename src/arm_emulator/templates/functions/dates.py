"""Date functions (template-functions-date). utcNow is allowed only in parameter default values."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from ..evaluator import Context, function
from ..formatting import format_datetime
from . import _checks as c
from .strings import _generator_only

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_datetime(name: str, value: Any) -> datetime:
    text = c.text(name, value).strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise c.fail(name, f"the value '{text}' is not a valid date and time.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}0".rstrip("0")
    return text + "Z"


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month)


@function("dateTimeAdd", 2, 3)
def _date_time_add(ctx: Context, base: Any, duration: Any, fmt: Any = None) -> str:
    moment = parse_datetime("dateTimeAdd", base)
    match = _DURATION.match(c.text("dateTimeAdd", duration))
    if not match or duration in ("P", "PT", "-P"):
        raise c.fail("dateTimeAdd", f"the duration '{duration}' is not a valid ISO 8601 duration.")
    parts = {k: v for k, v in match.groupdict().items() if v and k != "sign"}
    sign = -1 if match.group("sign") else 1
    moment = _add_months(moment, sign * (int(parts.get("years", 0)) * 12 + int(parts.get("months", 0))))
    moment += sign * timedelta(
        weeks=int(parts.get("weeks", 0)),
        days=int(parts.get("days", 0)),
        hours=int(parts.get("hours", 0)),
        minutes=int(parts.get("minutes", 0)),
        seconds=float(parts.get("seconds", 0)),
    )
    return format_datetime(moment, c.text("dateTimeAdd", fmt)) if fmt is not None else _iso(moment)


@function("dateTimeFromEpoch", 1)
def _date_time_from_epoch(ctx: Context, value: Any) -> str:
    seconds = c.integer("dateTimeFromEpoch", value)
    return _iso(datetime.fromtimestamp(seconds, UTC))


@function("dateTimeToEpoch", 1)
def _date_time_to_epoch(ctx: Context, value: Any) -> int:
    return int(parse_datetime("dateTimeToEpoch", value).timestamp())


@function("utcNow", 0, 1)
def _utc_now(ctx: Context, fmt: Any = "yyyyMMddTHHmmssZ") -> str:
    _generator_only(ctx, "utcNow")
    now = ctx.extras.get("now") or datetime.now(UTC)
    return format_datetime(now, c.text("utcNow", fmt))
