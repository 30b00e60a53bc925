"""prepare(): bind parameters, expand conditions and copy loops, compute resource ids and the dependency graph.
PreparedDeployment.render()/outputs() then evaluate bodies and outputs with a RuntimeHost."""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from .errors import (
    RESOURCES_HELP,
    DeferredEvaluation,
    ExpressionFailure,
    SymbolNotFound,
    TemplateError,
    expression_failed,
    too_deep,
    validation_failed,
)
from .evaluator import DEPLOYMENT_STEP_FACTOR, Budget, Context
from .hashing import template_hash
from .nested import DEPLOYMENTS_TYPE, render_deployment_properties
from .outputs import evaluate_outputs
from .parameters import ParameterTable
from .resource_ids import compose_id, split_type
from .scope import RuntimeHost
from .template import ResourceDeclaration, Template
from .user_functions import UserFunctions
from .values import check_size
from .variables import VariableTable

# Keys that steer the deployment and never go into a resource's PUT body.
TEMPLATE_ONLY_KEYS = {
    "type",
    "name",
    "apiversion",
    "dependson",
    "condition",
    "copy",
    "scope",
    "comments",
    "metadata",
    "existing",
    "resources",
    "import",
    "resourcegroup",
    "subscriptionid",
}


@dataclass(frozen=True)
class NestedDeployment:
    name: str
    subscription_id: str | None
    resource_group: str | None
    location: str | None
    expression_scope: str = "outer"


@dataclass(frozen=True)
class PlannedResource:
    key: str
    symbolic_name: str | None
    resource_id: str
    type: str
    name: str
    api_version: str
    depends_on: frozenset[str]
    existing: bool = False
    copy_name: str | None = None
    copy_index: int | None = None
    batch: tuple[str, int] | None = None
    nested: NestedDeployment | None = None


@dataclass
class _Instance:
    """One resource after condition and copy expansion, with what render() needs to evaluate it again."""

    declaration: ResourceDeclaration
    context: Context
    resource_id: str
    type: str
    name: str
    api_version: str
    condition: bool
    symbolic_name: str | None
    copy_name: str | None
    copy_index: int | None
    batch: tuple[str, int] | None
    existing: bool
    parent: _Instance | None
    nested: NestedDeployment | None
    key: str = ""
    depends_on: set[str] = field(default_factory=set)


class DeploymentSymbols:
    """Name resolution for one deployment: parameters, variables, user functions, resources of the template."""

    def __init__(self, template: Template, parameters: ParameterTable, variables: VariableTable) -> None:
        self.template = template
        self.parameters = parameters
        self.variables = variables
        self.functions = UserFunctions(template.functions)
        self.instances: list[_Instance] = []
        self.echo: dict | None = None
        self._indexed: list[_Instance] | None = None
        self._index_cache: dict[tuple, list[_Instance]] = {}

    def parameter(self, ctx: Context, name: str) -> Any:
        return self.parameters.value(ctx, name)

    def variable(self, ctx: Context, name: str) -> Any:
        return self.variables.value(ctx, name)

    def user_function(self, name: str) -> Any:
        return self.functions.get(name)

    def deployment_object(self, ctx: Context) -> dict:
        properties: dict[str, Any] = {
            "template": self.template.raw,
            "templateHash": template_hash(_canonical(self.template.raw)),
            "parameters": self.echo if self.echo is not None else {},
            "mode": "Incremental",
            "provisioningState": "Accepted",
        }
        if ctx.scope.template_link:
            properties["templateLink"] = ctx.scope.template_link
        result: dict[str, Any] = {"name": ctx.scope.deployment_name, "properties": properties}
        if ctx.scope.deployment_location:
            result["location"] = ctx.scope.deployment_location
        return result

    # resources ---------------------------------------------------------------------------------------------

    def _index(self) -> dict[tuple, list[_Instance]]:
        """Every way a dependsOn/reference() string can name a resource, built once per plan."""
        if self._indexed is not self.instances:
            index: dict[tuple, list[_Instance]] = {}
            for i in self.instances:
                keys = [
                    ("id", i.resource_id.lower()),
                    ("type/name", f"{i.type}/{i.name}".lower()),
                    ("type+name", i.type.lower(), i.name.lower()),
                    ("suffix", i.resource_id.lower().rsplit("/providers/", 1)[-1]),
                    ("name", i.name.lower()),
                    ("last", i.name.rsplit("/", 1)[-1].lower()),
                ]
                if i.symbolic_name:
                    keys.append(("symbolic", i.symbolic_name.lower()))
                if i.copy_name and i.parent is None:
                    keys.append(("copy", i.copy_name.lower()))
                for key in dict.fromkeys(keys):
                    index.setdefault(key, []).append(i)
            self._index_cache = index
            self._indexed = self.instances
        return self._index_cache

    def find(self, text: str, *, include_inactive: bool = False) -> list[_Instance]:
        """The template resources a dependsOn/reference() string names: symbolic name, copy loop name, full id,
        'Namespace/type/name', or bare name (in that order of preference, as ARM resolves them)."""
        index = self._index()
        lowered = text.lower()

        def lookup_key(*key: str) -> list[_Instance]:
            return [i for i in index.get(key, []) if include_inactive or i.condition]

        candidates: list[tuple] = []
        if self.template.symbolic:
            candidates.append(("symbolic", lowered))
        candidates.append(("copy", lowered))
        if lowered.startswith("/"):
            candidates.append(("id", lowered))
            # ARM matches dependsOn on type and name: an extension resource's id written as if at group scope
            # (resourceId('Microsoft.Authorization/roleAssignments', guid(...))) still names it.
            segments = lowered.rsplit("/providers/", 1)[1].split("/") if "/providers/" in lowered else []
            if len(segments) >= 3 and len(segments) % 2 == 1:
                candidates.append(("type+name", "/".join([segments[0], *segments[1::2]]), "/".join(segments[2::2])))
        else:
            candidates.extend([("type/name", lowered), ("suffix", lowered), ("name", lowered), ("last", lowered)])
        for key in candidates:
            matched = lookup_key(*key)
            if matched:
                return matched
        return []

    def resolve_target(self, ctx: Context, text: str, function_name: str) -> tuple[str, str | None]:
        matched = self.find(text)
        if len(matched) == 1:
            return matched[0].resource_id, matched[0].api_version
        if text.startswith("/"):
            return text, None
        if matched:
            raise ExpressionFailure(
                f"The resource '{text}' referenced by '{function_name}' is ambiguous: it names {len(matched)} "
                "resources of the template."
            )
        if text.count("/") >= 2:
            namespace, types = split_type(text.split("/", 1)[0] + "/" + "/".join(text.split("/")[1::2]))
            names = text.split("/")[2::2]
            if len(names) == len(types):
                return compose_id(ctx.scope.base_id, f"{namespace}/{'/'.join(types)}", names), None
        raise ExpressionFailure(f"The resource '{text}' is not defined in the template. {RESOURCES_HELP}")

    def collection_members(self, ctx: Context, text: str) -> list[tuple[str, str]]:
        matched = self.find(text)
        if not matched:
            raise ExpressionFailure(f"The resource collection '{text}' is not defined in the template.")
        return [(i.resource_id, i.api_version) for i in matched]


def _canonical(template: Any) -> str:
    return json.dumps(template, sort_keys=True, separators=(",", ":"))


class PreparedDeployment:
    """A validated plan: parameters echo, the resources to deploy (condition and copy expanded, with their
    dependencies), and what it takes to render bodies and outputs later."""

    def __init__(
        self, template: Template, symbols: DeploymentSymbols, root: Context, instances: list[_Instance]
    ) -> None:
        self.template = template
        self._symbols = symbols
        self._root = root
        self._instances = {i.key: i for i in instances}
        self.content_version = template.content_version
        self.template_hash = template_hash(_canonical(template.raw))
        self.parameters = copy.deepcopy(symbols.echo or {})
        self.resources = [_planned(i) for i in instances if i.condition]
        self.skipped = [_planned(i) for i in instances if not i.condition]  # condition false: not deployed
        # Variables are cached and cycle-checked per deployment; renders from several threads take turns.
        self._lock = threading.RLock()
        limits = root.limits
        self._budget = Budget(limits, limit=limits.max_evaluation_steps * DEPLOYMENT_STEP_FACTOR)

    def _fresh(self, base: Context, host: RuntimeHost | None) -> Context:
        return base.derive(host=host, runtime_allowed=True, depth=0, budget=Budget(base.limits, self._budget))

    def render(self, resource: PlannedResource, host: RuntimeHost) -> dict:
        """The resource's PUT body: every expression evaluated, template-only keys (type, name, dependsOn, copy,
        scope, ...) left out; reference()/list*() call the host."""
        try:
            with self._lock:
                return self._render(resource, host)
        except RecursionError:
            raise too_deep() from None

    def _render(self, resource: PlannedResource, host: RuntimeHost) -> dict:
        instance = self._instances[resource.key]
        body = _evaluate_body(instance, self._fresh(instance.context, host))
        # the caller owns the body: it must not share objects with cached parameters and variables
        return copy.deepcopy(body)

    def preflight(self) -> None:
        """ARM's preflight, before the deployment is accepted: evaluate every resource body to be written,
        leaving out only the expressions that call a runtime function (reference(), list*()), so a failing
        expression or an expression bomb is a TemplateError now instead of a failed deployment later.
        Evaluates nothing twice that render() would not: the results are thrown away."""
        limits = self._root.limits
        budget = Budget(limits, limit=limits.max_evaluation_steps * DEPLOYMENT_STEP_FACTOR)
        try:
            with self._lock:
                for resource in self.resources:
                    if resource.existing:
                        continue
                    instance = self._instances[resource.key]
                    ctx = instance.context.derive(
                        host=None, runtime_allowed=True, defer_runtime=True, depth=0, budget=Budget(limits, budget)
                    )
                    try:
                        _evaluate_body(instance, ctx)
                    except DeferredEvaluation:
                        continue  # reached a runtime function through a variable: the rest waits for render()
        except RecursionError:
            raise too_deep() from None

    def evaluate(self, value: Any, host: RuntimeHost | None = None) -> Any:
        """Evaluate any JSON value (e.g. "[concat('a', parameters('p'))]") as if it stood in the template's
        outputs: parameters, variables and scope functions available; reference()/list*() only with a host."""
        try:
            with self._lock:
                return self._evaluate(value, host)
        except RecursionError:
            raise too_deep() from None

    def _evaluate(self, value: Any, host: RuntimeHost | None = None) -> Any:
        ctx = self._fresh(self._root, host).derive(runtime_allowed=host is not None)
        try:
            return ctx.evaluate_json(value)
        except SymbolNotFound as failure:
            raise validation_failed(failure.reason) from None
        except ExpressionFailure as failure:
            raise expression_failed(failure.reason) from None

    def what_if_body(self, resource: PlannedResource, host: RuntimeHost) -> dict:
        return self.render(resource, host)

    def outputs(self, host: RuntimeHost) -> dict:
        """{"name": {"type": "String", "value": ...}}, evaluated after the deployment; secure values hidden."""
        ctx = self._fresh(self._root, host).derive(section="outputs")
        try:
            with self._lock:
                return copy.deepcopy(evaluate_outputs(ctx, self.template.outputs))
        except RecursionError:
            raise too_deep() from None


def _evaluate_body(instance: _Instance, ctx: Context) -> dict:
    """A resource's PUT body in `ctx`: template-only keys left out, ARM's error for a failing expression."""
    body: dict[str, Any] = {}
    try:
        for key, value in instance.declaration.raw.items():
            lowered = key.lower()
            if lowered in TEMPLATE_ONLY_KEYS:
                continue
            if lowered == "properties" and instance.type.lower() == DEPLOYMENTS_TYPE:
                body[key] = render_deployment_properties(ctx, value)
            else:
                body[key] = ctx.evaluate_json(value, property_copy=lowered == "properties")
        check_size(body, ctx.limits.max_value_bytes)
    except SymbolNotFound as failure:
        raise validation_failed(failure.reason, instance.resource_id) from None
    except ExpressionFailure as failure:
        raise TemplateError(
            "InvalidTemplate",
            f"Unable to process template language expressions for resource '{instance.resource_id}' at line "
            f"'1' and column '0'. '{failure.reason}'",
            instance.resource_id,
        ) from None
    return body


def _planned(instance: _Instance) -> PlannedResource:
    return PlannedResource(
        key=instance.key,
        symbolic_name=instance.symbolic_name,
        resource_id=instance.resource_id,
        type=instance.type,
        name=instance.name,
        api_version=instance.api_version,
        depends_on=frozenset(instance.depends_on),
        existing=instance.existing,
        copy_name=instance.copy_name,
        copy_index=instance.copy_index,
        batch=instance.batch,
        nested=instance.nested,
    )
