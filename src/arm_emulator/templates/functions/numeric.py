"""Numeric functions (template-functions-numeric) and copyIndex."""

from __future__ import annotations

import math
from typing import Any

from ..errors import ExpressionFailure
from ..evaluator import Context, function
from ..values import is_int
from . import _checks as c


@function("add", 2)
def _add(ctx: Context, a: Any, b: Any) -> int:
    return c.integer("add", a) + c.integer("add", b)


@function("sub", 2)
def _sub(ctx: Context, a: Any, b: Any) -> int:
    return c.integer("sub", a) - c.integer("sub", b)


@function("mul", 2)
def _mul(ctx: Context, a: Any, b: Any) -> int:
    return c.integer("mul", a) * c.integer("mul", b)


def _divisor(name: str, value: Any) -> int:
    value = c.integer(name, value)
    if value == 0:
        raise c.fail(name, "the second parameter must not be zero.")
    return value


@function("div", 2)
def _div(ctx: Context, a: Any, b: Any) -> int:
    a = c.integer("div", a)
    b = _divisor("div", b)
    return int(a / b) if abs(a) < 2**52 else (abs(a) // abs(b)) * (1 if (a < 0) == (b < 0) else -1)


@function("mod", 2)
def _mod(ctx: Context, a: Any, b: Any) -> int:
    a = c.integer("mod", a)
    b = _divisor("mod", b)
    return int(math.fmod(a, b)) if abs(a) < 2**52 else a - b * _div(ctx, a, b)


@function("int", 1)
def _int(ctx: Context, value: Any) -> int:
    if is_int(value):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise c.fail("int", f"the value '{value}' cannot be converted to an integer.") from None
    raise c.wrong_type("int", "String, Integer", value)


@function("float", 1)
def _float(ctx: Context, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise c.wrong_type("float", "String, Integer", value)
    try:
        return float(value)
    except ValueError:
        raise c.fail("float", f"the value '{value}' cannot be converted to a float.") from None


def _numbers(name: str, values: tuple[Any, ...]) -> list[Any]:
    items = values[0] if len(values) == 1 and isinstance(values[0], list) else list(values)
    if not items:
        raise c.fail(name, "the array must not be empty.")
    for item in items:
        c.number(name, item)
    return items


@function("min", 1, None)
def _min(ctx: Context, *values: Any) -> Any:
    return min(_numbers("min", values))


@function("max", 1, None)
def _max(ctx: Context, *values: Any) -> Any:
    return max(_numbers("max", values))


@function("copyIndex", 0, 2)
def _copy_index(ctx: Context, *args: Any) -> int:
    name: str | None = None
    offset = 0
    if len(args) == 2:
        name, offset = c.text("copyIndex", args[0]), c.integer("copyIndex", args[1])
    elif len(args) == 1:
        if isinstance(args[0], str):
            name = args[0]
        else:
            offset = c.integer("copyIndex", args[0])
    key = name.lower() if name else ctx.current_copy
    if key is None or key not in ctx.copy_indexes:
        where = f"the copy loop '{name}'" if name else "a copy loop"
        raise ExpressionFailure(
            f"The template function 'copyIndex' is not expected at this location. It can only be used within {where}."
        )
    return ctx.copy_indexes[key] + offset
