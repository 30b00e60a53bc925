"""Nested deployments (Microsoft.Resources/deployments with an inline template).

Inner scope: the inner template is passed on untouched; only the `parameters` values are evaluated here.
Outer scope (ARM's default): the inner template's expressions are evaluated in the parent's scope. What the
parent cannot evaluate is left for the inner deployment: expressions that use an inner copy loop's
copyIndex() keep those calls, with every sub-expression that does not depend on them replaced by its value
(copyIndex() of a loop of the parent, e.g. around the nested deployment itself, is the parent's value).
The inner `parameters` and `variables` sections are dropped (outer-scope templates use the parent's)."""

from __future__ import annotations

import copy
import json
from typing import Any

from .evaluator import Context
from .expressions import Call, Index, Literal, Member, Node, is_expression, walk
from .values import lookup

DEPLOYMENTS_TYPE = "microsoft.resources/deployments"


def evaluation_scope(ctx: Context, properties: Any) -> str:
    if not isinstance(properties, dict):
        return "outer"
    found, options = lookup(properties, "expressionEvaluationOptions")
    if not found or not isinstance(options, dict):
        return "outer"
    found, scope = lookup(options, "scope")
    value = ctx.evaluate_json(scope) if found else "outer"
    return value.lower() if isinstance(value, str) else "outer"


def render_deployment_properties(ctx: Context, properties: Any) -> Any:
    if not isinstance(properties, dict):
        return ctx.evaluate_json(properties)
    scope = evaluation_scope(ctx, properties)
    result: dict[str, Any] = {}
    for key, value in properties.items():
        if key.lower() == "template":
            result[key] = copy.deepcopy(value) if scope == "inner" else outer_template(ctx, value)
        else:
            result[key] = ctx.evaluate_json(value)
    return result


def outer_template(ctx: Context, template: Any) -> Any:
    if not isinstance(template, dict):
        return ctx.evaluate_json(template)
    result: dict[str, Any] = {}
    for key, value in template.items():
        lowered = key.lower()
        if lowered in ("parameters", "variables"):
            continue
        if lowered == "resources":
            items = value.items() if isinstance(value, dict) else enumerate(value or [])
            rendered = {name: outer_resource(ctx, decl) for name, decl in items}
            result[key] = rendered if isinstance(value, dict) else list(rendered.values())
        elif lowered == "outputs":
            result[key] = outer_value(ctx, value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def outer_resource(ctx: Context, decl: Any) -> Any:
    if not isinstance(decl, dict):
        return outer_value(ctx, decl)
    found, resource_type = lookup(decl, "type")
    if found and isinstance(resource_type, str) and resource_type.lower() == DEPLOYMENTS_TYPE:
        result = {}
        for key, value in decl.items():
            if key.lower() == "properties":
                result[key] = render_deployment_properties(ctx, value)
            else:
                result[key] = outer_value(ctx, value)
        return result
    has_copy = lookup(decl, "copy")[0]
    ctx = ctx.derive(extras={**ctx.extras, "inner_copy": has_copy})
    result = {}
    for key, value in decl.items():
        if key.lower() == "resources" and isinstance(value, list):
            result[key] = [outer_resource(ctx, child) for child in value]
        else:
            result[outer_value(ctx, key) if isinstance(key, str) else key] = outer_value(ctx, value)
    return result


def outer_value(ctx: Context, value: Any) -> Any:
    if isinstance(value, str):
        return _outer_string(ctx, value)
    if isinstance(value, list):
        return [outer_value(ctx, item) for item in value]
    if isinstance(value, dict):
        return {(_outer_key(ctx, k)): outer_value(ctx, v) for k, v in value.items()}
    return value


def _outer_key(ctx: Context, key: str) -> str:
    value = _outer_string(ctx, key)
    return value if isinstance(value, str) else json.dumps(value)


def _outer_string(ctx: Context, text: str) -> Any:
    if not is_expression(text):
        return text  # '[[x]' stays escaped for the inner deployment
    node = ctx.parse(text)
    if not _uses_copy_index(ctx, node):
        value = ctx.evaluate(node)
        if isinstance(value, str) and value.startswith("["):
            return "[" + value  # a value that looks like an expression stays a literal
        return value
    return "[" + to_source(_partial(ctx, node)) + "]"


def _uses_copy_index(ctx: Context, node: Node) -> bool:
    """Whether the expression calls copyIndex() of a loop declared inside the nested template."""
    for part in walk(node):
        if not isinstance(part, Call) or part.key != "copyindex":
            continue
        first = part.args[0] if part.args else None
        if isinstance(first, Literal) and isinstance(first.value, str):
            if first.value.lower() not in ctx.copy_indexes:
                return True
        elif ctx.extras.get("inner_copy", True) or not ctx.current_copy:
            return True
    return False


def _partial(ctx: Context, node: Node) -> Node:
    if not _uses_copy_index(ctx, node):
        return Literal(_Value(ctx.evaluate(node)))
    if isinstance(node, Call):
        if node.key == "copyindex":
            return node
        return Call(node.name, tuple(_partial(ctx, arg) for arg in node.args))
    if isinstance(node, Member):
        return Member(_partial(ctx, node.target), node.name)
    if isinstance(node, Index):
        return Index(_partial(ctx, node.target), _partial(ctx, node.index))
    return node


class _Value:
    """A value computed in the parent, to be written back into expression source."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def to_source(node: Node) -> str:
    if isinstance(node, Literal):
        value = node.value.value if isinstance(node.value, _Value) else node.value
        if isinstance(value, bool):
            return "true()" if value else "false()"
        if value is None:
            return "null()"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str):
            return _quote(value)
        return f"json({_quote(json.dumps(value, separators=(',', ':')))})"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_source(arg) for arg in node.args)})"
    if isinstance(node, Member):
        return f"{to_source(node.target)}.{node.name}"
    return f"{to_source(node.target)}[{to_source(node.index)}]"
