"""Template parameters: binding the request's values and defaults, validating types and constraints, echoing."""

from __future__ import annotations

from typing import Any

from .errors import (
    PARAMETER_FILE_HELP,
    PARAMETERS_HELP,
    DeferredEvaluation,
    ExpressionFailure,
    SymbolNotFound,
    TemplateError,
    validation_failed,
)
from .evaluator import Context
from .values import compact_json, is_int, lookup, to_text, type_name

# ARM accepts type names in any case and echoes them capitalised.
TYPE_NAMES = {
    "string": "String",
    "securestring": "SecureString",
    "int": "Int",
    "bool": "Bool",
    "object": "Object",
    "secureobject": "SecureObject",
    "array": "Array",
}
SECURE_TYPES = {"securestring", "secureobject"}
_EXPECTED = {
    "string": "String, Uri",
    "securestring": "String, Uri",
    "int": "Integer",
    "bool": "Boolean",
    "object": "Object",
    "secureobject": "Object",
    "array": "Array",
}


class ParameterTable:
    """Parameters resolved on first use (a default may refer to another parameter), each validated once."""

    def __init__(self, definitions: dict[str, dict], supplied: Any, definitions_section: dict | None = None) -> None:
        self.type_definitions = definitions_section or {}
        self.definitions = {
            name.lower(): (name, self._resolve_ref(definition)) for name, definition in definitions.items()
        }
        self.values: dict[str, Any] = {}
        self.resolving: list[str] = []
        self.supplied: dict[str, Any] = {}
        if supplied is None:
            supplied = {}
        if not isinstance(supplied, dict):
            raise validation_failed("The deployment parameters must be a JSON object.")
        unknown = []
        for name, entry in supplied.items():
            if name.lower() not in self.definitions:
                unknown.append(name)
                continue
            self.supplied[name.lower()] = self._supplied_value(name, entry)
        if unknown:
            allowed = ", ".join(name for name, _ in self.definitions.values())
            raise validation_failed(
                f"The template parameters '{', '.join(unknown)}' in the parameters file are not valid; they are "
                f"not present in the original template and can therefore not be provided at deployment time. "
                f"The only supported parameters for this template are '{allowed}'. {PARAMETER_FILE_HELP}"
            )
        for name, definition in self.definitions.values():
            self.type_of(name, definition)

    @staticmethod
    def _supplied_value(name: str, entry: Any) -> Any:
        if isinstance(entry, dict):
            found, _reference = lookup(entry, "reference")
            if found:
                raise TemplateError(
                    "InvalidTemplate",
                    f"Deployment template validation failed: 'The parameter '{name}' is a Key Vault reference; "
                    "Key Vault references are not supported by this emulator. Pass the value instead.'.",
                )
            found, value = lookup(entry, "value")
            if found:
                return value
            return _MISSING
        raise validation_failed(
            f"The value of deployment parameter '{name}' must be an object with a 'value' property. "
            f"{PARAMETER_FILE_HELP}"
        )

    def _resolve_ref(self, definition: Any, seen: int = 0) -> Any:
        """A parameter typed with a user-defined type ($ref: #/definitions/x) takes that type's type and
        constraints, its own keys winning (one chain of references, at most a few deep)."""
        if not isinstance(definition, dict) or seen > 8:
            return definition
        found, ref = lookup(definition, "$ref")
        if not found or not isinstance(ref, str):
            return definition
        target = self._resolve_ref(self.type_definitions.get(ref.rsplit("/", 1)[-1]), seen + 1)
        own = {k: v for k, v in definition.items() if k != "$ref"}
        return {**target, **own} if isinstance(target, dict) else own

    def type_of(self, name: str, definition: dict) -> str:
        found, declared = lookup(definition, "type")
        if not found or not isinstance(declared, str) or declared.lower() not in TYPE_NAMES:
            raise validation_failed(
                f"The template parameter '{name}' has an invalid type '{declared}'. The supported types are "
                f"'String, SecureString, Int, Bool, Object, SecureObject, Array'. {PARAMETERS_HELP}"
            )
        return declared.lower()

    def value(self, ctx: Context, name: str) -> Any:
        key = name.lower()
        if key in self.values:
            return self.values[key]
        if key not in self.definitions:
            raise SymbolNotFound(f"The template parameter '{name}' is not found. {PARAMETERS_HELP}")
        if key in self.resolving:
            chain = " -> ".join([*self.resolving, key])
            raise ExpressionFailure(f"The template parameter '{name}' has a circular reference: {chain}.")
        declared_name, definition = self.definitions[key]
        self.resolving.append(key)
        try:
            value = self._resolve(ctx, declared_name, definition)
        finally:
            self.resolving.pop()
        self.values[key] = value
        return value

    def _resolve(self, ctx: Context, name: str, definition: dict) -> Any:
        kind = self.type_of(name, definition)
        supplied = self.supplied.get(name.lower(), _MISSING)
        if supplied is not _MISSING:
            value = supplied
        else:
            found, default = lookup(definition, "defaultValue")
            if found:
                default_ctx = ctx.derive(
                    allow_generators=True,
                    runtime_allowed=False,
                    copy_indexes={},
                    current_copy=None,
                    section=f"parameter '{name}'",
                )
                try:
                    value = default_ctx.evaluate_json(default)
                except DeferredEvaluation as deferred:
                    raise ExpressionFailure(
                        f"The template function '{deferred.function}' is not expected at this location."
                    ) from None
            elif lookup(definition, "nullable")[1] is True:
                return None
            else:
                raise validation_failed(
                    f"The value for the template parameter '{name}' at line '1' and column '0' is not provided. "
                    f"{PARAMETER_FILE_HELP}"
                )
        value = _coerce(kind, value)
        self._validate(name, kind, definition, value)
        return value

    def _validate(self, name: str, kind: str, definition: dict, value: Any) -> None:
        if not _matches(kind, value):
            raise validation_failed(
                f"Template parameter JToken type is not valid. Expected '{_EXPECTED[kind]}'. Actual "
                f"'{type_name(value)}'. {PARAMETER_FILE_HELP}"
            )
        prefix = f"The provided value for the template parameter '{name}' is not valid."
        found, allowed = lookup(definition, "allowedValues")
        if found and isinstance(allowed, list):
            candidates = value if kind == "array" else [value]
            for candidate in candidates:
                if not any(_same(candidate, option) for option in allowed):
                    options = ",".join(to_text(option) for option in allowed)
                    raise validation_failed(
                        f"{prefix} The value '{_show(candidate)}' is not part of the allowed value(s): '{options}'."
                    )
        for bound, compare, wording in (
            ("minLength", lambda size, limit: size >= limit, "greater than or equal to"),
            ("maxLength", lambda size, limit: size <= limit, "less than or equal to"),
        ):
            found, limit = lookup(definition, bound)
            if found and is_int(limit) and isinstance(value, (str, list)) and not compare(len(value), limit):
                raise validation_failed(f"{prefix} Length of the value should be {wording} '{limit}'.")
        found, minimum = lookup(definition, "minValue")
        if found and is_int(value) and is_int(minimum) and value < minimum:
            raise validation_failed(f"{prefix} The value '{value}' is less than the minimum value '{minimum}'.")
        found, maximum = lookup(definition, "maxValue")
        if found and is_int(value) and is_int(maximum) and value > maximum:
            raise validation_failed(f"{prefix} The value '{value}' is greater than the maximum value '{maximum}'.")

    def echo(self, ctx: Context) -> dict:
        """properties.parameters as ARM returns it: capitalised types, no values for secure types."""
        result = {}
        for _key, (name, definition) in self.definitions.items():
            kind = self.type_of(name, definition)
            entry: dict[str, Any] = {"type": TYPE_NAMES[kind]}
            if kind not in SECURE_TYPES:
                entry["value"] = self.value(ctx, name)
            result[name] = entry
        return result

    def resolve_all(self, ctx: Context) -> None:
        for _, (name, _definition) in self.definitions.items():
            self.value(ctx, name)


class _Missing:
    pass


_MISSING = _Missing()


def _coerce(kind: str, value: Any) -> Any:
    """ARM converts string values of int and bool parameters (parameter files written as strings)."""
    if kind == "int" and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if kind == "bool" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _matches(kind: str, value: Any) -> bool:
    if kind in ("string", "securestring"):
        return isinstance(value, str)
    if kind == "int":
        return is_int(value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind in ("object", "secureobject"):
        return isinstance(value, dict)
    return isinstance(value, list)


def _same(a: Any, b: Any) -> bool:
    from .values import deep_equals

    return deep_equals(a, b)


def _show(value: Any) -> str:
    return value if isinstance(value, str) else compact_json(value)
