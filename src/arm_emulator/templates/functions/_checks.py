"""Argument checks shared by the function families, with ARM's wording."""

from __future__ import annotations

from typing import Any

from ..errors import ExpressionFailure
from ..values import is_int, type_name


def fail(function: str, reason: str) -> ExpressionFailure:
    return ExpressionFailure(f"Unable to evaluate template language function '{function}': {reason}")


def wrong_type(function: str, expected: str, value: Any) -> ExpressionFailure:
    return ExpressionFailure(
        f"The template language function '{function}' expects its parameter to be of type '{expected}'. "
        f"The provided value is of type '{type_name(value)}'."
    )


def text(function: str, value: Any) -> str:
    if not isinstance(value, str):
        raise wrong_type(function, "String", value)
    return value


def integer(function: str, value: Any) -> int:
    if not is_int(value):
        raise wrong_type(function, "Integer", value)
    return value


def number(function: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise wrong_type(function, "Integer", value)
    return value


def array(function: str, value: Any) -> list:
    if not isinstance(value, list):
        raise wrong_type(function, "Array", value)
    return value


def obj(function: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise wrong_type(function, "Object", value)
    return value


def boolean(function: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise wrong_type(function, "Boolean", value)
    return value
