"""Lambda functions (template-functions-lambda): filter, map, reduce, sort, toObject, groupBy, mapValues."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ..errors import ExpressionFailure
from ..evaluator import Context, function
from ..expressions import Node
from . import _checks as c


@dataclass(frozen=True)
class Lambda:
    parameters: tuple[str, ...]
    body: Node

    def __call__(self, ctx: Context, *args: Any) -> Any:
        variables = dict(ctx.lambda_variables)
        for name, value in zip(self.parameters, args, strict=False):
            variables[name.lower()] = value
        return ctx.derive(lambda_variables=variables).evaluate(self.body)


@function("lambda", 1, None, lazy=True)
def _lambda(ctx: Context, nodes: tuple[Node, ...]) -> Lambda:
    names = tuple(c.text("lambda", ctx.evaluate(node)) for node in nodes[:-1])
    return Lambda(names, nodes[-1])


@function("lambdaVariables", 1)
def _lambda_variables(ctx: Context, name: Any) -> Any:
    key = c.text("lambdaVariables", name).lower()
    if key not in ctx.lambda_variables:
        raise ExpressionFailure(f"The lambda variable '{name}' is not defined.")
    return ctx.lambda_variables[key]


def _fn(name: str, value: Any, arity: tuple[int, ...] = (1,)) -> Lambda:
    if not isinstance(value, Lambda):
        raise c.fail(name, "the last parameter must be a lambda expression.")
    if len(value.parameters) not in arity:
        raise c.fail(name, f"the lambda must take {' or '.join(map(str, arity))} parameter(s).")
    return value


def _step(ctx: Context, count: int) -> None:
    ctx.budget.step(count)


@function("filter", 2)
def _filter(ctx: Context, items: Any, predicate: Any) -> list:
    fn = _fn("filter", predicate, (1, 2))
    items = c.array("filter", items)
    _step(ctx, len(items))
    return [item for i, item in enumerate(items) if c.boolean("filter", fn(ctx, item, i))]


@function("map", 2, grows=True)
def _map(ctx: Context, items: Any, mapper: Any) -> list:
    fn = _fn("map", mapper, (1, 2))
    items = c.array("map", items)
    _step(ctx, len(items))
    return [fn(ctx, item, i) for i, item in enumerate(items)]


@function("reduce", 3, grows=True)
def _reduce(ctx: Context, items: Any, initial: Any, reducer: Any) -> Any:
    fn = _fn("reduce", reducer, (2, 3))
    items = c.array("reduce", items)
    _step(ctx, len(items))
    accumulator = initial
    for i, item in enumerate(items):
        accumulator = fn(ctx, accumulator, item, i)
    return accumulator


@function("sort", 2)
def _sort(ctx: Context, items: Any, comparer: Any) -> list:
    fn = _fn("sort", comparer, (2,))
    items = c.array("sort", items)
    _step(ctx, len(items))

    def compare(a: Any, b: Any) -> int:
        if c.boolean("sort", fn(ctx, a, b)):
            return -1
        if c.boolean("sort", fn(ctx, b, a)):
            return 1
        return 0

    return sorted(items, key=functools.cmp_to_key(compare))


@function("toObject", 2, 3, grows=True)
def _to_object(ctx: Context, items: Any, key_fn: Any, value_fn: Any = None) -> dict:
    keys = _fn("toObject", key_fn)
    values = _fn("toObject", value_fn) if value_fn is not None else None
    items = c.array("toObject", items)
    _step(ctx, len(items))
    result: dict = {}
    for item in items:
        result[_key("toObject", keys(ctx, item))] = values(ctx, item) if values else item
    return result


@function("groupBy", 2, grows=True)
def _group_by(ctx: Context, items: Any, key_fn: Any) -> dict:
    keys = _fn("groupBy", key_fn)
    items = c.array("groupBy", items)
    _step(ctx, len(items))
    result: dict = {}
    for item in items:
        result.setdefault(_key("groupBy", keys(ctx, item)), []).append(item)
    return result


def _key(name: str, key: Any) -> str:
    if not isinstance(key, str):
        raise c.fail(name, "the key lambda must return a string.")
    return key


@function("mapValues", 2, grows=True)
def _map_values(ctx: Context, value: Any, mapper: Any) -> dict:
    fn = _fn("mapValues", mapper)
    obj = c.obj("mapValues", value)
    _step(ctx, len(obj))
    return {key: fn(ctx, item) for key, item in obj.items()}
