"""Template outputs: evaluated after the deployment, with ARM's capitalised type names; secure values hidden."""

from __future__ import annotations

from typing import Any

from .errors import ExpressionFailure, SymbolNotFound, TemplateError, expression_failed, validation_failed
from .evaluator import Context
from .parameters import SECURE_TYPES, TYPE_NAMES
from .values import lookup, type_name


def evaluate_outputs(ctx: Context, outputs: dict[str, dict]) -> dict:
    result: dict[str, Any] = {}
    for name, output in outputs.items():
        try:
            entry = _output(ctx, name, output)
        except SymbolNotFound as failure:
            raise validation_failed(failure.reason, name) from None
        except ExpressionFailure as failure:
            raise TemplateError(
                "DeploymentOutputEvaluationFailed",
                f"Unable to evaluate template outputs: '{name}'. Please see error details and deployment operations.",
                name,
                [
                    {
                        "code": "DeploymentOutputEvaluationFailed",
                        "message": f"The template output '{name}' is not valid: {failure.reason}.",
                        "target": name,
                    }
                ],
            ) from None
        if entry is not None:
            result[name] = entry
    return result


def _output(ctx: Context, name: str, output: dict) -> dict | None:
    found, condition = lookup(output, "condition")
    if found and ctx.evaluate_json(condition) is not True:
        return None
    found, declared = lookup(output, "type")
    kind = declared.lower() if isinstance(declared, str) else None
    typed_elsewhere = not found and lookup(output, "$ref")[0]  # a user-defined type (definitions)
    if kind not in TYPE_NAMES and not typed_elsewhere:
        raise expression_failed(f"The template output '{name}' has an invalid type '{declared}'.")
    found_copy, loop = lookup(output, "copy")
    if found_copy and isinstance(loop, dict):
        count = ctx.evaluate_json(lookup(loop, "count")[1])
        _, count = ctx.copy_header({"name": name, "count": count})
        template = lookup(loop, "input")[1]
        value: Any = [ctx.with_copy(name, i).evaluate_json(template) for i in range(count)]
    else:
        value = ctx.evaluate_json(lookup(output, "value")[1])
    if kind is None:
        kind = _kind_of(value)
    if kind in ("int",) and isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    _check(name, kind, value)
    if kind in SECURE_TYPES:
        return {"type": TYPE_NAMES[kind]}
    return {"type": TYPE_NAMES[kind], "value": value}


def _check(name: str, kind: str, value: Any) -> None:
    expected = {
        "string": str,
        "securestring": str,
        "int": int,
        "bool": bool,
        "object": dict,
        "secureobject": dict,
        "array": list,
    }[kind]
    ok = isinstance(value, expected) and not (kind == "int" and isinstance(value, bool))
    if not ok and value is not None:
        raise ExpressionFailure(
            f"The template output '{name}' of type '{TYPE_NAMES[kind]}' has a value of type '{type_name(value)}'"
        )


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"
