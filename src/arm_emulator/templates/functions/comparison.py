"""Comparison functions (template-functions-comparison)."""

from __future__ import annotations

from typing import Any

from ..evaluator import Context, function
from ..values import deep_equals, type_name
from . import _checks as c


@function("equals", 2)
def _equals(ctx: Context, a: Any, b: Any) -> bool:
    return deep_equals(a, b)


@function("coalesce", 1, None)
def _coalesce(ctx: Context, *values: Any) -> Any:
    return next((value for value in values if value is not None), None)


def _ordered(name: str, a: Any, b: Any) -> tuple[Any, Any]:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return a, b
    if isinstance(a, str) and isinstance(b, str):
        return a, b  # ordinal comparison, as .NET's string.CompareOrdinal
    raise c.fail(
        name, f"the parameters must be both integers or both strings; got '{type_name(a)}' and '{type_name(b)}'."
    )


@function("greater", 2)
def _greater(ctx: Context, a: Any, b: Any) -> bool:
    x, y = _ordered("greater", a, b)
    return x > y


@function("greaterOrEquals", 2)
def _greater_or_equals(ctx: Context, a: Any, b: Any) -> bool:
    x, y = _ordered("greaterOrEquals", a, b)
    return x >= y


@function("less", 2)
def _less(ctx: Context, a: Any, b: Any) -> bool:
    x, y = _ordered("less", a, b)
    return x < y


@function("lessOrEquals", 2)
def _less_or_equals(ctx: Context, a: Any, b: Any) -> bool:
    x, y = _ordered("lessOrEquals", a, b)
    return x <= y
