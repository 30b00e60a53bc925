"""Evaluates parsed expressions and whole JSON values, within the step, depth and size budgets of Limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .errors import DeferredEvaluation, ExpressionFailure
from .expressions import (
    Call,
    Index,
    Literal,
    Member,
    Node,
    is_expression,
    parse_expression,
    unescape_literal,
    walk,
)
from .limits import Limits
from .values import check_size, is_int, lookup, type_name

if TYPE_CHECKING:
    from .scope import RuntimeHost, ScopeInfo


@dataclass
class FunctionSpec:
    name: str  # canonical spelling, for messages
    impl: Callable[..., Any]
    min_args: int = 0
    max_args: int | None = None
    lazy: bool = False  # impl(ctx, nodes) instead of impl(ctx, *values)
    grows: bool = False  # result may be large: size-check it


FUNCTIONS: dict[str, FunctionSpec] = {}


def function(
    name: str, min_args: int = 0, max_args: int | None = -1, *, lazy: bool = False, grows: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a template function. max_args=-1 means 'same as min_args'; None means unbounded."""

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        FUNCTIONS[name.lower()] = FunctionSpec(
            name, impl, min_args, min_args if max_args == -1 else max_args, lazy, grows
        )
        return impl

    return register


class Budget:
    """Evaluation steps: each prepare(), render() or outputs() call may take max_evaluation_steps, and all the
    renders and outputs of one deployment together DEPLOYMENT_STEP_FACTOR times that (a template with many
    expensive resources is refused too)."""

    def __init__(self, limits: Limits, shared: Budget | None = None, limit: int | None = None) -> None:
        self.limits = limits
        self.steps = 0
        self.limit = limit if limit is not None else limits.max_evaluation_steps
        self.shared = shared

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > self.limit:
            raise ExpressionFailure(
                f"The template needs more than {self.limit} evaluation steps; it is refused as too expensive "
                "to evaluate."
            )
        if self.shared is not None:
            self.shared.step(count)


DEPLOYMENT_STEP_FACTOR = 5


@dataclass
class Context:
    """One evaluation position: the deployment's symbols plus copy indexes, lambda variables and the host."""

    symbols: Any  # plan.DeploymentSymbols (or a user function's scope): parameter(), variable(), ...
    scope: ScopeInfo
    limits: Limits
    budget: Budget
    host: RuntimeHost | None = None
    copy_indexes: dict[str, int] = field(default_factory=dict)  # lower-cased loop name -> index
    current_copy: str | None = None  # the innermost loop (copyIndex() without a name)
    lambda_variables: dict[str, Any] = field(default_factory=dict)
    allow_generators: bool = False  # newGuid()/utcNow() (parameter defaultValue only)
    runtime_allowed: bool = True  # reference()/list*() may be used here
    # Preflight: an expression that calls a runtime function evaluates to None instead of being evaluated
    # (ARM leaves those for the deployment), every other expression is evaluated as render() would.
    defer_runtime: bool = False
    depth: int = 0
    section: str = "template"  # what is being evaluated, for messages
    extras: dict[str, Any] = field(default_factory=dict)  # deployment-wide helpers (resource index, ...)

    def derive(self, **changes: Any) -> Context:
        return replace(self, **changes)

    def with_copy(self, name: str, index: int) -> Context:
        indexes = dict(self.copy_indexes)
        indexes[name.lower()] = index
        return replace(self, copy_indexes=indexes, current_copy=name.lower())

    # expressions -----------------------------------------------------------------------------------------

    def parse(self, text: str) -> Node:
        inner = text[1:-1]
        if len(text) > self.limits.max_expression_length:
            raise ExpressionFailure(
                f"The template language expression is {len(text)} characters long; "
                f"the limit is {self.limits.max_expression_length}."
            )
        return parse_expression(inner, self.limits.max_nesting_depth)

    def evaluate(self, node: Node) -> Any:
        self.budget.step()
        if isinstance(node, Literal):
            return node.value
        self.depth += 1
        if self.depth > self.limits.max_nesting_depth * 3:
            self.depth -= 1
            raise ExpressionFailure(
                "The template language expression is nested too deeply (through variables or functions) to evaluate."
            )
        try:
            if isinstance(node, Call):
                return self.call(node)
            if isinstance(node, Member):
                return self.member(self.evaluate(node.target), node.name)
            if isinstance(node, Index):
                return self.index(self.evaluate(node.target), self.evaluate(node.index))
        finally:
            self.depth -= 1
        raise ExpressionFailure(f"Unknown expression node {node!r}.")  # pragma: no cover

    def call(self, node: Call) -> Any:
        spec = FUNCTIONS.get(node.key)
        if spec is None:
            user = self.symbols.user_function(node.key) if "." in node.key else None
            if user is not None:
                return user(self, [self.evaluate(arg) for arg in node.args])
            if node.key.startswith("list"):
                spec = FUNCTIONS["list*"]
                args = [self.evaluate(arg) for arg in node.args]
                return spec.impl(self, node.name, *args)
            raise ExpressionFailure(f"The template function '{node.name}' is not valid")
        count = len(node.args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            raise ExpressionFailure(_arity_message(spec, count))
        if spec.lazy:
            result = spec.impl(self, node.args)
        else:
            result = spec.impl(self, *[self.evaluate(arg) for arg in node.args])
        if spec.grows:
            check_size(result, self.limits.max_value_bytes)
        return result

    def member(self, target: Any, name: str) -> Any:
        if isinstance(target, dict):
            found, value = lookup(target, name)
            if found:
                return value
            available = ", ".join(target.keys())
            raise ExpressionFailure(
                f"The language expression property '{name}' doesn't exist, available properties are '{available}'."
            )
        raise ExpressionFailure(
            f"The language expression property '{name}' can't be evaluated, property name must be a string "
            f"on an object; the value is of type '{type_name(target)}'."
        )

    def index(self, target: Any, index: Any) -> Any:
        if isinstance(target, list):
            if not is_int(index):
                raise ExpressionFailure(
                    f"The language expression array index must be an integer; it is of type '{type_name(index)}'."
                )
            if index < 0 or index >= len(target):
                raise ExpressionFailure(f"The language expression property array index '{index}' is out of bounds.")
            return target[index]
        if isinstance(target, dict):
            if not isinstance(index, str):
                raise ExpressionFailure(
                    f"The language expression property name must be a string; it is of type '{type_name(index)}'."
                )
            return self.member(target, index)
        raise ExpressionFailure(
            f"The language expression index '{index}' can't be applied to a value of type '{type_name(target)}'."
        )

    # JSON values -----------------------------------------------------------------------------------------

    def evaluate_string(self, text: str) -> Any:
        if is_expression(text):
            node = self.parse(text)
            if self.defer_runtime and needs_runtime(node):
                return None
            return self.evaluate(node)
        return unescape_literal(text)

    def evaluate_json(self, value: Any, *, property_copy: bool = False) -> Any:
        """Evaluate every expression in a JSON value, object keys included; `copy` arrays inside resource
        properties expand to arrays (property iteration)."""
        self.budget.step()
        if isinstance(value, str):
            return self.evaluate_string(value)
        if isinstance(value, list):
            return [self.evaluate_json(item, property_copy=property_copy) for item in value]
        if isinstance(value, dict):
            result: dict[str, Any] = {}
            for key, item in value.items():
                if property_copy and key.lower() == "copy" and isinstance(item, list):
                    result.update(self.property_copies(item))
                    continue
                new_key = self.evaluate_string(key) if isinstance(key, str) else key
                if new_key is None and self.defer_runtime:
                    raise DeferredEvaluation("reference")
                if not isinstance(new_key, str):
                    raise ExpressionFailure(
                        f"The language expression '{key}' used as a property name must evaluate to a string; "
                        f"it is of type '{type_name(new_key)}'."
                    )
                result[new_key] = self.evaluate_json(item, property_copy=property_copy)
            return result
        return value

    def property_copies(self, loops: list[Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for loop in loops:
            if not isinstance(loop, dict):
                raise ExpressionFailure("The 'copy' property must be an array of objects with name, count and input.")
            name, count = self.copy_header(loop)
            found, template = lookup(loop, "input")
            if not found:
                raise ExpressionFailure(f"The copy property '{name}' must have an 'input'.")
            result[name] = [self.with_copy(name, i).evaluate_json(template, property_copy=True) for i in range(count)]
        return result

    def copy_header(self, loop: dict) -> tuple[str, int]:
        """A copy block's evaluated name and count, with ARM's bounds."""
        found, raw_name = lookup(loop, "name")
        name = self.evaluate_json(raw_name) if found else None
        if not isinstance(name, str) or not name:
            raise ExpressionFailure("The copy 'name' property must be a non-empty string.")
        found, raw_count = lookup(loop, "count")
        if not found:
            raise ExpressionFailure(f"The copy '{name}' must have a 'count'.")
        count = self.evaluate_json(raw_count)
        if count is None and self.defer_runtime:
            raise DeferredEvaluation("reference")
        if isinstance(count, str) and count.lstrip("-").isdigit():
            count = int(count)
        if not is_int(count):
            raise ExpressionFailure(f"The copy count of '{name}' must be an integer; it is '{type_name(count)}'.")
        if count < 0 or count > self.limits.max_copy_count:
            raise ExpressionFailure(
                f"The copy count of '{name}' is '{count}'; it must be between 0 and {self.limits.max_copy_count}."
            )
        return name, count

    def require_runtime(self, function_name: str) -> RuntimeHost:
        if not self.runtime_allowed:
            raise ExpressionFailure(
                f"The template function '{function_name}' is not expected at this location. It can only be used "
                "in a resource's properties and in outputs."
            )
        if self.host is None:
            raise DeferredEvaluation(function_name)
        return self.host


RUNTIME_FUNCTIONS = frozenset({"reference", "references"})


def is_runtime_call(call: Call) -> bool:
    """reference(), references() and list*() (listKeys, listSecrets, ...): they read deployed resources."""
    return call.key in RUNTIME_FUNCTIONS or (call.key.startswith("list") and call.key not in FUNCTIONS)


def needs_runtime(node: Node) -> bool:
    """Whether the parsed expression calls a runtime function anywhere (lazy branches included), read
    statically from the tree as ARM's preflight does."""
    return any(isinstance(part, Call) and is_runtime_call(part) for part in walk(node))


def _arity_message(spec: FunctionSpec, count: int) -> str:
    if spec.max_args is None:
        wanted = f"at least {spec.min_args}"
    elif spec.min_args == spec.max_args:
        wanted = f"{spec.min_args}"
    else:
        wanted = f"{spec.min_args} to {spec.max_args}"
    return (
        f"Unable to evaluate template language function '{spec.name}': function requires {wanted} "
        f"argument(s) while {count} were provided."
    )
