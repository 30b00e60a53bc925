"""Logical functions (template-functions-logical): if is lazy, and/or short-circuit."""

from __future__ import annotations

from typing import Any

from ..evaluator import Context, function
from ..expressions import Node
from . import _checks as c


@function("if", 3, lazy=True)
def _if(ctx: Context, nodes: tuple[Node, ...]) -> Any:
    condition = c.boolean("if", ctx.evaluate(nodes[0]))
    return ctx.evaluate(nodes[1] if condition else nodes[2])


@function("and", 2, None, lazy=True)
def _and(ctx: Context, nodes: tuple[Node, ...]) -> bool:
    return all(c.boolean("and", ctx.evaluate(node)) for node in nodes)


@function("or", 2, None, lazy=True)
def _or(ctx: Context, nodes: tuple[Node, ...]) -> bool:
    return any(c.boolean("or", ctx.evaluate(node)) for node in nodes)


@function("not", 1)
def _not(ctx: Context, value: Any) -> bool:
    return not c.boolean("not", value)


@function("bool", 1)
def _bool(ctx: Context, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, int):
        return value != 0
    raise c.fail("bool", f"the value '{value}' cannot be converted to a boolean.")


@function("true", 0)
def _true(ctx: Context) -> bool:
    return True


@function("false", 0)
def _false(ctx: Context) -> bool:
    return False
