"""User-defined template functions (`functions` section): namespace.member(args), evaluated with only their
own parameters in scope, as ARM does."""

from __future__ import annotations

from typing import Any

from .errors import ExpressionFailure
from .evaluator import Context
from .values import lookup


class _FunctionScope:
    def __init__(self, outer: Any, arguments: dict[str, Any]) -> None:
        self.outer = outer
        self.arguments = arguments

    def parameter(self, ctx: Context, name: str) -> Any:
        if name.lower() not in self.arguments:
            raise ExpressionFailure(f"The user-defined function parameter '{name}' is not found.")
        return self.arguments[name.lower()]

    def variable(self, ctx: Context, name: str) -> Any:
        raise ExpressionFailure("User-defined functions cannot use variables().")

    def user_function(self, name: str) -> Any:
        return self.outer.user_function(name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.outer, name)


class UserFunctions:
    def __init__(self, sections: list) -> None:
        self.members: dict[str, dict] = {}
        for section in sections:
            if not isinstance(section, dict):
                continue
            namespace = str(lookup(section, "namespace")[1] or "")
            members = lookup(section, "members")[1] or {}
            if isinstance(members, dict):
                for name, definition in members.items():
                    self.members[f"{namespace}.{name}".lower()] = definition

    def get(self, name: str) -> Any:
        definition = self.members.get(name.lower())
        if definition is None:
            return None

        def invoke(ctx: Context, args: list[Any]) -> Any:
            declared = lookup(definition, "parameters")[1] or []
            if len(args) != len(declared):
                raise ExpressionFailure(
                    f"The user-defined function '{name}' takes {len(declared)} argument(s); {len(args)} were given."
                )
            arguments = {str(p.get("name", "")).lower(): a for p, a in zip(declared, args, strict=True)}
            inner = ctx.derive(
                symbols=_FunctionScope(ctx.symbols, arguments), copy_indexes={}, current_copy=None, lambda_variables={}
            )
            output = lookup(definition, "output")[1] or {}
            return inner.evaluate_json(lookup(output, "value")[1])

        return invoke
