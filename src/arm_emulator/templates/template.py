"""parse_template: the structural checks ARM makes before evaluating anything."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .errors import SYNTAX_HELP, ExpressionFailure, TemplateError, expression_failed, validation_failed
from .evaluator import FUNCTIONS
from .expressions import Call, is_expression, parse_expression, walk
from .limits import Limits

_TOP_LEVEL = {
    "$schema",
    "contentversion",
    "apiprofile",
    "parameters",
    "variables",
    "functions",
    "resources",
    "outputs",
    "metadata",
    "languageversion",
    "definitions",
    "imports",
    "extensions",
    "asserts",
}


# Descriptions and comments are never evaluated ("[Required] name" is a fine description).
_NEVER_EVALUATED = {"metadata", "comments"}


@dataclass
class ResourceDeclaration:
    """One resource as written; inline children keep a link to their parent declaration."""

    raw: dict
    symbolic_name: str | None = None
    parent: ResourceDeclaration | None = None
    children: list[ResourceDeclaration] = field(default_factory=list)


@dataclass
class Template:
    raw: dict
    schema: str | None
    content_version: str | None
    language_version: str | None
    parameters: dict[str, dict]
    variables: dict[str, Any]
    functions: list
    resources: list[ResourceDeclaration]
    outputs: dict[str, dict]

    @property
    def symbolic(self) -> bool:
        return self.language_version is not None and self.language_version.split(".")[0] not in ("", "1")


def _get(obj: dict, name: str, default: Any = None) -> Any:
    for key, value in obj.items():
        if key.lower() == name.lower():
            return value
    return default


def check_depth(value: Any, limit: int, what: str = "The template is") -> None:
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            raise validation_failed(f"{what} nested more than {limit} levels deep.")
        if isinstance(current, dict):
            stack.extend((item, depth + 1) for item in current.values())
        elif isinstance(current, list):
            stack.extend((item, depth + 1) for item in current)


def _check_expressions(value: Any, limits: Limits, user_namespaces: set[str]) -> None:
    """Every expression string (values and keys) parses, fits the length limit and calls known functions."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, item in current.items():
                if isinstance(key, str) and key.lower() in _NEVER_EVALUATED:
                    continue
                stack.append(item)
                if isinstance(key, str):
                    stack.append(key)
        elif isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, str) and is_expression(current):
            if len(current) > limits.max_expression_length:
                raise validation_failed(
                    f"The template language expression is {len(current)} characters long; the limit is "
                    f"{limits.max_expression_length}. {SYNTAX_HELP}"
                )
            try:
                node = parse_expression(current[1:-1], limits.max_nesting_depth)
            except ExpressionFailure as failure:
                raise validation_failed(failure.reason) from None
            for part in walk(node):
                if isinstance(part, Call) and part.key not in FUNCTIONS and not part.key.startswith("list"):
                    namespace = part.key.split(".", 1)[0] if "." in part.key else None
                    if namespace is None or namespace not in user_namespaces:
                        raise expression_failed(
                            f"The template function '{part.name}' is not valid. Please see "
                            "https://aka.ms/arm-functions for usage details."
                        )


def parse_template(template: Any, limits: Limits | None = None) -> Template:
    limits = limits or Limits()
    if not isinstance(template, dict):
        raise validation_failed("The template must be a JSON object.")
    check_depth(template, limits.max_nesting_depth)
    try:
        size = len(json.dumps(template, separators=(",", ":")))
    except (TypeError, ValueError, RecursionError):
        raise validation_failed("The template is not valid JSON.") from None
    if size > limits.max_template_bytes:
        raise TemplateError(
            "InvalidTemplate",
            f"Deployment template validation failed: 'The template is {size} bytes; the maximum is "
            f"{limits.max_template_bytes} bytes.'.",
        )
    for key in template:
        if key.lower() not in _TOP_LEVEL:
            raise validation_failed(f"Could not find member '{key}' on object of type 'Template'. Path '{key}'.")
    content_version = _get(template, "contentVersion")
    if content_version is None:
        raise validation_failed("Required property 'contentVersion' not found in JSON. Path ''.")
    if not isinstance(content_version, str):
        raise validation_failed("The template property 'contentVersion' must be a string.")
    language_version = _get(template, "languageVersion")
    resources_raw = _get(template, "resources")
    if resources_raw is None:
        raise validation_failed("Required property 'resources' not found in JSON. Path ''.")
    parameters = _section(template, "parameters")
    variables = _section(template, "variables")
    outputs = _section(template, "outputs")
    functions = _get(template, "functions") or []
    if not isinstance(functions, list):
        raise validation_failed("The template property 'functions' must be an array.")
    tpl = Template(
        raw=template,
        schema=_get(template, "$schema"),
        content_version=content_version,
        language_version=str(language_version) if language_version is not None else None,
        parameters=parameters,
        variables=variables,
        functions=functions,
        resources=[],
        outputs=outputs,
    )
    if isinstance(resources_raw, dict):
        if not tpl.symbolic:
            raise validation_failed(
                "The template 'resources' must be an array unless languageVersion is '2.0' (symbolic names)."
            )
        entries = [(name, decl) for name, decl in resources_raw.items()]
    elif isinstance(resources_raw, list):
        entries = [(None, decl) for decl in resources_raw]
    else:
        raise validation_failed("The template property 'resources' must be an array.")
    count = 0
    for symbolic, decl in entries:
        declaration, added = _declaration(decl, symbolic, None)
        tpl.resources.append(declaration)
        count += added
    if count > limits.max_resources:
        raise validation_failed(
            f"The number of template resources '{count}' exceeds the limit of '{limits.max_resources}'."
        )
    for name, definition in parameters.items():
        if not isinstance(definition, dict):
            raise validation_failed(f"The template parameter '{name}' must be an object.")
    for name, output in outputs.items():
        if not isinstance(output, dict):
            raise validation_failed(f"The template output '{name}' must be an object.")
    if _nested_depth(tpl.resources) > limits.max_nested_deployments_depth:
        raise validation_failed(
            f"The template nests deployments more than {limits.max_nested_deployments_depth} levels deep."
        )
    namespaces = {str(_get(f, "namespace", "")).lower() for f in functions if isinstance(f, dict)}
    _check_expressions(template, limits, namespaces)
    return tpl


def _section(template: dict, name: str) -> dict:
    value = _get(template, name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise validation_failed(f"The template property '{name}' must be an object.")
    return value


def _declaration(
    decl: Any, symbolic: str | None, parent: ResourceDeclaration | None
) -> tuple[ResourceDeclaration, int]:
    label = symbolic or (decl.get("name") if isinstance(decl, dict) else None) or "?"
    if not isinstance(decl, dict):
        raise validation_failed(f"The template resource '{label}' must be an object.")
    existing = _get(decl, "existing") is True
    for required in ("type", "apiVersion") if existing else ("type", "name", "apiVersion"):
        if _get(decl, required) is None:
            raise validation_failed(
                f"The template resource '{label}' at line '1' and column '0' is not valid: Required property "
                f"'{required}' not found. Please see https://aka.ms/arm-syntax-resources for usage details."
            )
    declaration = ResourceDeclaration(decl, symbolic, parent)
    count = 1
    children = _get(decl, "resources")
    if children is not None:
        if not isinstance(children, list):
            raise validation_failed(f"The 'resources' of template resource '{label}' must be an array.")
        for child in children:
            child_declaration, added = _declaration(child, None, declaration)
            declaration.children.append(child_declaration)
            count += added
    return declaration, count


def _nested_depth(declarations: list[ResourceDeclaration]) -> int:
    """How deep inline nested deployments (Microsoft.Resources/deployments with a template) go."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(d, 0) for d in declarations]
    while stack:
        item, depth = stack.pop()
        raw = item.raw if isinstance(item, ResourceDeclaration) else item
        if isinstance(item, ResourceDeclaration):
            stack.extend((child, depth) for child in item.children)
        if not isinstance(raw, dict) or str(_get(raw, "type", "")).lower() != "microsoft.resources/deployments":
            continue
        properties = _get(raw, "properties")
        inner = _get(properties, "template") if isinstance(properties, dict) else None
        if not isinstance(inner, dict):
            continue
        deepest = max(deepest, depth + 1)
        resources = _get(inner, "resources") or []
        stack.extend((r, depth + 1) for r in (resources.values() if isinstance(resources, dict) else resources))
    return deepest
