"""prepare(): expands a parsed template into PlannedResources (conditions, copy loops, inline children, ids)
and resolves the dependency graph (explicit dependsOn, parents, implicit reference()/list*())."""

from __future__ import annotations

from typing import Any

from .errors import (
    FUNCTIONS_HELP,
    RESOURCES_HELP,
    DeferredEvaluation,
    ExpressionFailure,
    SymbolNotFound,
    TemplateError,
    expression_failed,
    too_deep,
    validation_failed,
)
from .evaluator import Budget, Context, is_runtime_call
from .expressions import Call, Literal, is_expression
from .limits import Limits
from .nested import DEPLOYMENTS_TYPE, evaluation_scope
from .parameters import ParameterTable
from .plan import TEMPLATE_ONLY_KEYS, DeploymentSymbols, NestedDeployment, PreparedDeployment, _Instance
from .resource_ids import compose_id, split_type
from .scope import ScopeInfo
from .template import ResourceDeclaration, Template, check_depth, parse_template
from .values import lookup, type_name
from .variables import VariableTable


def prepare(
    template: Any, parameters: dict | None, scope: ScopeInfo, *, limits: Limits | None = None, now: Any = None
) -> PreparedDeployment:
    """Validate and plan a deployment, then run ARM's preflight (PreparedDeployment.preflight: every resource
    body evaluated but for runtime-function calls); raises TemplateError (code InvalidTemplate) for anything
    ARM refuses. `now` fixes utcNow() for tests."""
    limits = limits or Limits()
    parsed = parse_template(template, limits)
    check_depth(parameters, limits.max_nesting_depth, "The deployment parameters are")
    try:
        return _Planner(parsed, parameters, scope, limits, now).run()
    except RecursionError:
        raise too_deep() from None


class _Planner:
    def __init__(self, template: Template, parameters: dict | None, scope: ScopeInfo, limits: Limits, now: Any) -> None:
        self.template = template
        self.scope = scope
        self.limits = limits
        definitions = lookup(template.raw, "definitions")[1]
        self.parameters = ParameterTable(
            template.parameters, parameters, definitions if isinstance(definitions, dict) else None
        )
        self.variables = VariableTable(template.variables)
        self.symbols = DeploymentSymbols(template, self.parameters, self.variables)
        extras: dict[str, Any] = {"now": now} if now is not None else {}
        self.root = Context(self.symbols, scope, limits, Budget(limits), runtime_allowed=False, extras=extras)
        self.instances: list[_Instance] = []

    def run(self) -> PreparedDeployment:
        try:
            self.parameters.resolve_all(self.root)
            self.symbols.echo = self.parameters.echo(self.root)
        except SymbolNotFound as failure:
            raise validation_failed(failure.reason) from None
        except ExpressionFailure as failure:
            raise expression_failed(failure.reason) from None
        for declaration in self.template.resources:
            self._expand(declaration, None, self.root)
        if len(self.instances) > self.limits.max_resources:
            raise validation_failed(
                f"The number of template resources '{len(self.instances)}' exceeds the limit of "
                f"'{self.limits.max_resources}'. {RESOURCES_HELP}"
            )
        self._assign_keys()
        self.symbols.instances = self.instances
        for instance in self.instances:
            if instance.condition:
                self._dependencies(instance)
        self._refuse_cycles()
        prepared = PreparedDeployment(self.template, self.symbols, self.root, self.instances)
        prepared.preflight()
        return prepared

    # expansion ---------------------------------------------------------------------------------------------

    def _label(self, declaration: ResourceDeclaration) -> str:
        name = lookup(declaration.raw, "name")[1]
        return declaration.symbolic_name or (name if isinstance(name, str) else "?")

    def _invalid(self, declaration: ResourceDeclaration, reason: str) -> TemplateError:
        label = self._label(declaration)
        return validation_failed(
            f"The template resource '{label}' at line '1' and column '0' is not valid: "
            f"{reason.rstrip('.')}. {FUNCTIONS_HELP}",
            label,
        )

    def _expand(self, declaration: ResourceDeclaration, parent: _Instance | None, ctx: Context) -> None:
        found, loop = lookup(declaration.raw, "copy")
        if not found:
            self._instance(declaration, parent, ctx, None, None, None)
            return
        try:
            if not isinstance(loop, dict):
                raise ExpressionFailure("The resource 'copy' property must be an object with name and count.")
            name, count = ctx.copy_header(loop)
            mode = ctx.evaluate_json(lookup(loop, "mode")[1] or "parallel")
            batch = None
            if isinstance(mode, str) and mode.lower() == "serial":
                size = ctx.evaluate_json(lookup(loop, "batchSize")[1] or 1)
                if not isinstance(size, int) or isinstance(size, bool) or size < 1:
                    raise ExpressionFailure(f"The copy '{name}' batchSize must be a positive integer.")
                batch = (name, size)
            elif not isinstance(mode, str) or mode.lower() != "parallel":
                raise ExpressionFailure(f"The copy '{name}' mode '{mode}' is not valid; use 'Parallel' or 'Serial'.")
        except SymbolNotFound as failure:
            raise validation_failed(failure.reason) from None
        except ExpressionFailure as failure:
            raise self._invalid(declaration, failure.reason) from None
        if len(self.instances) + count > self.limits.max_resources:
            raise validation_failed(
                f"The number of template resources exceeds the limit of '{self.limits.max_resources}'. {RESOURCES_HELP}"
            )
        for index in range(count):
            self._instance(declaration, parent, ctx.with_copy(name, index), name, index, batch)

    def _text(self, ctx: Context, raw: dict, key: str, required: bool = True) -> str | None:
        found, value = lookup(raw, key)
        if not found:
            if required:
                raise ExpressionFailure(f"Required property '{key}' not found")
            return None
        value = ctx.evaluate_json(value)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise ExpressionFailure(f"The resource property '{key}' must be a string; it is '{type_name(value)}'")
        return value

    def _instance(
        self,
        declaration: ResourceDeclaration,
        parent: _Instance | None,
        ctx: Context,
        copy_name: str | None,
        copy_index: int | None,
        batch: tuple[str, int] | None,
    ) -> None:
        raw = declaration.raw
        try:
            resource_type = self._text(ctx, raw, "type")
            name = self._text(ctx, raw, "name")
            api_version = self._text(ctx, raw, "apiVersion")
            assert resource_type is not None and name is not None and api_version is not None
            condition = self._condition(ctx, raw)
            if parent is not None:
                condition = condition and parent.condition
                if "/" not in resource_type:
                    resource_type = f"{parent.type}/{resource_type}"
                    name = f"{parent.name}/{name}"
            existing = lookup(raw, "existing")[1] is True
            try:
                resource_id, nested = self._resource_id(ctx, raw, resource_type, name, parent)
            except (ExpressionFailure, DeferredEvaluation):
                if condition:
                    raise
                # Not deployed: a name that only makes sense when the condition holds (often an empty
                # parameter) must not fail the deployment.
                resource_id = f"{self.scope.base_id}/providers/{resource_type}/{name}"
                nested = None
        except SymbolNotFound as failure:
            raise validation_failed(failure.reason) from None
        except (ExpressionFailure, DeferredEvaluation) as failure:
            reason = (
                failure.reason
                if isinstance(failure, ExpressionFailure)
                else (f"The template function '{failure.function}' is not expected at this location")
            )
            raise self._invalid(declaration, reason) from None
        instance = _Instance(
            declaration=declaration,
            context=ctx.derive(section=f"resource '{name}'"),
            resource_id=resource_id,
            type=resource_type,
            name=name,
            api_version=api_version,
            condition=condition,
            symbolic_name=declaration.symbolic_name,
            copy_name=copy_name,
            copy_index=copy_index,
            batch=batch,
            existing=existing,
            parent=parent,
            nested=nested,
        )
        self.instances.append(instance)
        for child in declaration.children:
            self._expand(child, instance, ctx)

    def _condition(self, ctx: Context, raw: dict) -> bool:
        found, condition = lookup(raw, "condition")
        if not found:
            return True
        value = ctx.evaluate_json(condition)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise ExpressionFailure(f"The resource 'condition' must be a boolean; it is '{type_name(value)}'")
        return value

    def _resource_id(
        self, ctx: Context, raw: dict, resource_type: str, name: str, parent: _Instance | None
    ) -> tuple[str, NestedDeployment | None]:
        namespace, types = split_type(resource_type)
        names = name.split("/")
        if len(names) != len(types) or not all(names):
            raise ExpressionFailure(
                f"The resource type '{resource_type}' and name '{name}' have incorrect segment lengths. A nested "
                "resource type must have identical number of segments as its resource name. A root resource type "
                "must have segment length one greater than its resource name"
            )
        scope_value = self._text(ctx, raw, "scope", required=False)
        if resource_type.lower() == DEPLOYMENTS_TYPE:
            group = self._text(ctx, raw, "resourceGroup", required=False)
            subscription = self._text(ctx, raw, "subscriptionId", required=False)
            if group:
                base = f"/subscriptions/{subscription or self.scope.subscription_id}/resourceGroups/{group}"
            elif subscription:
                base = f"/subscriptions/{subscription}"
            elif scope_value is not None:
                base = self._absolute_scope(scope_value)
            else:
                base = self.scope.base_id
            try:
                location = self._text(ctx, raw, "location", required=False)
            except (ExpressionFailure, DeferredEvaluation):
                location = None
            nested = NestedDeployment(
                name, subscription, group, location, evaluation_scope(ctx, lookup(raw, "properties")[1])
            )
            return compose_id(base, resource_type, names), nested
        if scope_value is not None:
            return compose_id(self._absolute_scope(scope_value), resource_type, names), None
        if parent is not None and parent.type.lower() == resource_type.rsplit("/", 1)[0].lower():
            return f"{parent.resource_id}/{types[-1]}/{names[-1]}", None
        group = self._text(ctx, raw, "resourceGroup", required=False)
        subscription = self._text(ctx, raw, "subscriptionId", required=False)
        if group or subscription:  # languageVersion 2.0: an (existing) resource in another group/subscription
            subscription = subscription or self.scope.subscription_id
            base = f"/subscriptions/{subscription}" + (f"/resourceGroups/{group}" if group else "")
            return compose_id(base, resource_type, names), None
        if namespace.lower() == "microsoft.resources" and types[0].lower() == "resourcegroups":
            if not self.scope.subscription_id:
                raise ExpressionFailure("Resource groups can only be deployed from a subscription-scope deployment")
            return compose_id(f"/subscriptions/{self.scope.subscription_id}", resource_type, names), None
        return compose_id(self.scope.base_id, resource_type, names), None

    def _absolute_scope(self, scope_value: str) -> str:
        """A `scope` as a full id: '/' is the tenant, a relative 'Namespace/type/name' hangs under this
        deployment's scope (a management group one under /providers)."""
        if scope_value in ("", "/"):
            return ""
        if scope_value.startswith("/"):
            return scope_value.rstrip("/")
        if scope_value.lower().startswith("microsoft.management/managementgroups/"):
            return f"/providers/{scope_value}"
        return f"{self.scope.base_id}/providers/{scope_value}"

    def _assign_keys(self) -> None:
        seen: dict[str, _Instance] = {}
        for instance in self.instances:
            if instance.symbolic_name and self.template.symbolic:
                key = instance.symbolic_name
                if instance.copy_index is not None:
                    key = f"{key}[{instance.copy_index}]"
            else:
                key = instance.resource_id.lower()
            instance.key = key
            if not instance.condition or instance.existing:
                continue
            identity = instance.resource_id.lower()
            if identity in seen:
                raise validation_failed(
                    f"The resource '{instance.resource_id}' at line '1' and column '0' is defined multiple times in "
                    f"a template. {RESOURCES_HELP}"
                )
            seen[identity] = instance
        keys: set[str] = set()
        for instance in self.instances:
            while instance.key in keys:  # a condition-false twin of an active resource
                instance.key += "#"
            keys.add(instance.key)

    # dependencies --------------------------------------------------------------------------------------------

    def _dependencies(self, instance: _Instance) -> None:
        ctx = instance.context
        found, entries = lookup(instance.declaration.raw, "dependsOn")
        if found:
            try:
                values = ctx.evaluate_json(entries)
            except SymbolNotFound as failure:
                raise validation_failed(failure.reason) from None
            except (ExpressionFailure, DeferredEvaluation) as failure:
                reason = getattr(failure, "reason", "dependsOn uses a runtime function")
                raise self._invalid(instance.declaration, reason) from None
            if not isinstance(values, list):
                raise self._invalid(instance.declaration, "The 'dependsOn' property must be an array")
            for entry in values:
                if not isinstance(entry, str):
                    raise self._invalid(instance.declaration, "Each 'dependsOn' entry must be a string")
                matched = self.symbols.find(entry, include_inactive=True)
                if not matched:
                    raise validation_failed(f"The resource '{entry}' is not defined in the template. {RESOURCES_HELP}")
                instance.depends_on.update(m.key for m in matched if m.condition)
        if instance.parent is not None and instance.parent.condition:
            instance.depends_on.add(instance.parent.key)
        for target in self._runtime_targets(instance):
            for matched in self.symbols.find(target):
                if matched is not instance and matched.condition:
                    instance.depends_on.add(matched.key)

    def _runtime_targets(self, instance: _Instance) -> list[str]:
        """The first argument of every reference()/list*() call in the resource body that can be evaluated
        now (ARM makes these implicit dependencies when they name a resource of the template)."""
        raw = instance.declaration.raw
        strings: list[str] = []
        nested_inner = instance.nested is not None and instance.nested.expression_scope == "inner"
        for key, value in raw.items():
            if key.lower() in TEMPLATE_ONLY_KEYS:
                continue
            if key.lower() == "properties" and nested_inner and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k.lower() != "template"}
            _collect_expressions(value, strings)
        targets: list[str] = []
        seen_variables: set[str] = set()
        while strings:
            text = strings.pop()
            try:
                node = instance.context.parse(text)
            except ExpressionFailure:
                continue
            for part in _calls(node):
                if part.key == "variables" and part.args and isinstance(part.args[0], Literal):
                    variable = str(part.args[0].value).lower()
                    if variable not in seen_variables and variable in self.variables.definitions:
                        seen_variables.add(variable)
                        _collect_expressions(self.variables.definitions[variable][1], strings)
                    continue
                if not is_runtime_call(part) or not part.args:
                    continue
                try:
                    value = instance.context.derive(runtime_allowed=False).evaluate(part.args[0])
                except (ExpressionFailure, DeferredEvaluation):
                    continue
                if isinstance(value, str):
                    targets.append(value)
        return targets

    def _refuse_cycles(self) -> None:
        by_key = {i.key: i for i in self.instances if i.condition}
        state: dict[str, int] = {}  # 1 visiting, 2 done
        for start in by_key:
            if state.get(start):
                continue
            stack: list[tuple[str, list[str]]] = [(start, sorted(by_key[start].depends_on))]
            state[start] = 1
            while stack:
                key, pending = stack[-1]
                if not pending:
                    state[key] = 2
                    stack.pop()
                    continue
                nxt = pending.pop()
                if nxt not in by_key:
                    continue
                if state.get(nxt) == 1:
                    raise validation_failed(
                        f"Circular dependency detected on resource: '{by_key[nxt].resource_id}'. {RESOURCES_HELP}"
                    )
                if not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, sorted(by_key[nxt].depends_on)))


def _collect_expressions(value: Any, out: list[str]) -> None:
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if is_expression(current):
                out.append(current)
        elif isinstance(current, dict):
            stack.extend(current.values())
            stack.extend(k for k in current if isinstance(k, str))
        elif isinstance(current, list):
            stack.extend(current)


def _calls(node: Any) -> list[Call]:
    from .expressions import walk

    return [part for part in walk(node) if isinstance(part, Call)]
