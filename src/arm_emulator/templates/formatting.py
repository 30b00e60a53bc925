""".NET composite formatting for format() ({0}, {0,-5}, {0:N2}, {{ }}) and .NET date format strings."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from .errors import ExpressionFailure
from .values import is_int, to_text

_ITEM = re.compile(r"\{(\d+)(?:,\s*(-?\d+))?(?::([^}]*))?\}")


def composite_format(template: str, args: tuple[Any, ...] | list[Any]) -> str:
    out: list[str] = []
    i = 0
    n = len(template)
    while i < n:
        ch = template[i]
        if ch == "{":
            if template.startswith("{{", i):
                out.append("{")
                i += 2
                continue
            match = _ITEM.match(template, i)
            if not match:
                raise _bad_format(template)
            index = int(match.group(1))
            if index >= len(args):
                raise ExpressionFailure(
                    f"Unable to evaluate template language function 'format': the format string '{template}' "
                    f"refers to argument '{index}' but only {len(args)} argument(s) were provided."
                )
            piece = format_value(args[index], match.group(3))
            if match.group(2):
                width = int(match.group(2))
                piece = piece.ljust(-width) if width < 0 else piece.rjust(width)
            out.append(piece)
            i = match.end()
        elif ch == "}":
            if template.startswith("}}", i):
                out.append("}")
                i += 2
                continue
            raise _bad_format(template)
        else:
            next_brace = min((p for p in (template.find("{", i), template.find("}", i)) if p >= 0), default=n)
            out.append(template[i:next_brace])
            i = next_brace
    return "".join(out)


def _bad_format(template: str) -> ExpressionFailure:
    return ExpressionFailure(
        f"Unable to evaluate template language function 'format': the format string '{template}' is not valid."
    )


def format_value(value: Any, spec: str | None) -> str:
    if not spec or isinstance(value, (str, bool)) or value is None or isinstance(value, (list, dict)):
        return to_text(value)
    return format_number(value, spec)


_STANDARD = re.compile(r"^([A-Za-z])(\d{0,2})$")


def format_number(value: int | float, spec: str) -> str:
    """The standard .NET numeric formats (N, D, F, X, P, E, G, C) and simple custom ones ('0.00', '#,##0')."""
    match = _STANDARD.match(spec)
    if not match:
        return _custom_number(value, spec)
    kind, digits = match.group(1), match.group(2)
    precision = int(digits) if digits else None
    upper = kind.upper()
    if upper == "N":
        return f"{value:,.{2 if precision is None else precision}f}"
    if upper == "F":
        return f"{value:.{2 if precision is None else precision}f}"
    if upper == "D":
        if not is_int(value):
            raise ExpressionFailure(f"The format specifier '{spec}' needs an integer value.")
        sign = "-" if value < 0 else ""
        return sign + str(abs(value)).rjust(precision or 0, "0")
    if upper == "X":
        if not is_int(value):
            raise ExpressionFailure(f"The format specifier '{spec}' needs an integer value.")
        text = format(value & 0xFFFFFFFFFFFFFFFF if value < 0 else value, "X" if kind == "X" else "x")
        return text.rjust(precision or 0, "0")
    if upper == "P":
        return f"{value * 100:,.{2 if precision is None else precision}f} %"
    if upper == "E":
        text = f"{value:.{6 if precision is None else precision}e}"
        mantissa, exponent = text.split("e")
        sign = exponent[0]
        return f"{mantissa}{kind}{sign}{exponent[1:].rjust(3, '0')}"
    if upper == "C":
        return f"${value:,.{2 if precision is None else precision}f}" if value >= 0 else f"(${-value:,.2f})"
    if upper == "G":
        return to_text(value)
    raise ExpressionFailure(f"The format specifier '{spec}' is not supported.")


def _custom_number(value: int | float, spec: str) -> str:
    if not re.fullmatch(r"[#0,]*(\.[#0]*)?", spec):
        raise ExpressionFailure(f"The format specifier '{spec}' is not supported.")
    integer_part, _, fraction_part = spec.partition(".")
    decimals_min = fraction_part.count("0")
    decimals_max = len(fraction_part)
    grouping = "," in integer_part
    min_int_digits = integer_part.replace(",", "").count("0")
    text = f"{abs(value):.{decimals_max}f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0").ljust(decimals_min, "0") if decimals_max else ""
    whole = whole.lstrip("0").rjust(min_int_digits, "0")
    if grouping and whole:
        whole = f"{int(whole):,}".rjust(min_int_digits, "0")
    result = whole + ("." + frac if frac else "")
    return ("-" if value < 0 else "") + (result or "0" if not min_int_digits and not frac else result)


# .NET date formats ------------------------------------------------------------------------------------------

_DATE_TOKENS = re.compile(
    r"yyyy|yy|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|fffffff|ffffff|fffff|ffff|fff|ff|f"
    r"|tt|t|K|zzz|zz|z|'[^']*'|\"[^\"]*\"|\\.|.",
    re.S,
)
_STANDARD_DATES = {
    "d": "MM/dd/yyyy",
    "D": "dddd, dd MMMM yyyy",
    "g": "MM/dd/yyyy HH:mm",
    "G": "MM/dd/yyyy HH:mm:ss",
    "o": "yyyy-MM-ddTHH:mm:ss.fffffffK",
    "O": "yyyy-MM-ddTHH:mm:ss.fffffffK",
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy-MM-ddTHH:mm:ss",
    "t": "HH:mm",
    "T": "HH:mm:ss",
    "u": "yyyy-MM-dd HH:mm:ssZ",
    "U": "dddd, dd MMMM yyyy HH:mm:ss",
}


def format_datetime(moment: datetime, fmt: str) -> str:
    """Format a UTC datetime with a .NET standard or custom date format string."""
    fmt = _STANDARD_DATES.get(fmt, fmt)
    out = []
    for token in _DATE_TOKENS.findall(fmt):
        out.append(_date_token(moment, token))
    return "".join(out)


def _date_token(m: datetime, token: str) -> str:
    simple = {
        "yyyy": f"{m.year:04d}",
        "yy": f"{m.year % 100:02d}",
        "MMMM": m.strftime("%B"),
        "MMM": m.strftime("%b"),
        "MM": f"{m.month:02d}",
        "M": str(m.month),
        "dddd": m.strftime("%A"),
        "ddd": m.strftime("%a"),
        "dd": f"{m.day:02d}",
        "d": str(m.day),
        "HH": f"{m.hour:02d}",
        "H": str(m.hour),
        "hh": f"{(m.hour % 12) or 12:02d}",
        "h": str((m.hour % 12) or 12),
        "mm": f"{m.minute:02d}",
        "m": str(m.minute),
        "ss": f"{m.second:02d}",
        "s": str(m.second),
        "tt": "AM" if m.hour < 12 else "PM",
        "t": "A" if m.hour < 12 else "P",
        "K": "Z",
        "zzz": "+00:00",
        "zz": "+00",
        "z": "+0",
    }
    if token in simple:
        return simple[token]
    if token.startswith("f"):
        return f"{m.microsecond:06d}0"[: len(token)]
    if token[0] in "'\"" and len(token) >= 2:
        return token[1:-1]
    if token.startswith("\\") and len(token) == 2:
        return token[1]
    return token
