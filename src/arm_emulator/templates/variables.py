"""Template variables: evaluated lazily on first use, cached, cycles refused, `copy` variables expanded."""

from __future__ import annotations

from typing import Any

from .errors import ExpressionFailure, SymbolNotFound
from .evaluator import Context
from .values import check_size, lookup

VARIABLES_HELP = "Please see https://aka.ms/arm-syntax-variables for usage details."


class VariableTable:
    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions: dict[str, tuple[str, Any]] = {}
        self.copies: dict[str, dict] = {}
        for name, value in definitions.items():
            if name.lower() == "copy" and isinstance(value, list):
                for loop in value:
                    if isinstance(loop, dict):
                        found, loop_name = lookup(loop, "name")
                        if found and isinstance(loop_name, str):
                            self.copies[loop_name.lower()] = loop
                            self.definitions[loop_name.lower()] = (loop_name, None)
                continue
            self.definitions[name.lower()] = (name, value)
        self.values: dict[str, Any] = {}
        self.resolving: list[str] = []

    def value(self, ctx: Context, name: str) -> Any:
        key = name.lower()
        if key in self.values:
            return self.values[key]
        if key not in self.definitions:
            raise SymbolNotFound(f"The template variable '{name}' is not found. {VARIABLES_HELP}")
        if key in self.resolving:
            chain = " -> ".join([*self.resolving, key])
            raise ExpressionFailure(f"The template variable '{name}' has a circular reference: {chain}.")
        # Variables see no copy index, lambda variable or generator of the place that uses them.
        root = ctx.derive(
            copy_indexes={},
            current_copy=None,
            lambda_variables={},
            allow_generators=False,
            section=f"variable '{name}'",
            depth=ctx.depth + 4,  # a variable hop costs several interpreter frames
            # a variable's value is cached: the preflight must not store a placeholder for a runtime call
            # (without a host it stops at it instead, and the variable waits for render())
            defer_runtime=False,
        )
        self.resolving.append(key)
        try:
            if key in self.copies:
                loop = self.copies[key]
                loop_name, count = root.copy_header(loop)
                found, template = lookup(loop, "input")
                if not found:
                    raise ExpressionFailure(f"The copy variable '{loop_name}' must have an 'input'.")
                value = [root.with_copy(loop_name, i).evaluate_json(template, property_copy=True) for i in range(count)]
            else:
                value = root.evaluate_json(self.definitions[key][1], property_copy=True)
        finally:
            self.resolving.pop()
        check_size(value, ctx.limits.max_value_bytes)
        self.values[key] = value
        return value
