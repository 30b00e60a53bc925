"""A resource group captured as an ARM template (ResourceGroups_ExportTemplate): bodies in, template out.

No HTTP and no SQL. As ARM's export does: each resource's name becomes a `String` parameter
`{lastType}_{name}_name` (non-alphanumerics as `_`), a child's name is
`[concat(parameters('<parent>'), '/child')]` and it `dependsOn` its parent when the parent is exported.
Options (CSV, any case): `IncludeParameterDefaultValue` (parameters get the current name as
`defaultValue`), `IncludeComments` (each resource says which one it was generalised from),
`SkipResourceNameParameterization` (literal names), `SkipAllParameterization` (no parameters at all).
What a template may not set is left out: `id`, `name`, `type`, `etag`, `systemData`, an identity's
`principalId`/`tenantId`, and `properties.provisioningState` (the read-only fields every resource
has; provider-specific read-only properties are kept, as the emulator cannot tell them apart).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SCHEMA = "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#"
OPTIONS = (
    "IncludeParameterDefaultValue",
    "IncludeComments",
    "SkipResourceNameParameterization",
    "SkipAllParameterization",
)
_TOP_LEVEL = ("location", "tags", "sku", "kind", "identity", "plan", "extendedLocation", "managedBy", "zones")
_NOT_NAME_CHARACTERS = re.compile(r"[^0-9A-Za-z]")


@dataclass(frozen=True)
class ExportedResource:
    """One stored resource to export: its id (the caller's casing), type and body."""

    id: str
    type: str  # `Namespace/type[/childType]`
    body: Mapping[str, Any]


def parse_options(text: str | None) -> frozenset[str]:
    """The options a CSV names, in their canonical spelling; ValueError naming an unknown one."""
    chosen: set[str] = set()
    for part in (text or "").split(","):
        if not part.strip():
            continue
        found = next((o for o in OPTIONS if o.lower() == part.strip().lower()), None)
        if found is None:
            raise ValueError(part.strip())
        chosen.add(found)
    return frozenset(chosen)


def _names(resource_id: str) -> list[str]:
    """The resource's own name segments (`parent`, `child`) from its id."""
    segments = resource_id.strip("/").split("/")
    providers = [i for i, s in enumerate(segments) if s.lower() == "providers"]
    return segments[providers[-1] + 3 :: 2] if providers else segments[-1:]


def _parameter_name(type_name: str, names: list[str]) -> str:
    return _NOT_NAME_CHARACTERS.sub("_", f"{type_name.split('/')[-1]}_{'_'.join(names)}_name")


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def build_template(
    resources: Iterable[ExportedResource],
    options: frozenset[str],
    api_version_of: Callable[[str], str],
) -> dict[str, Any]:
    """The template of `resources` (parents before children, as stored); `api_version_of(type)`
    gives each type's `apiVersion`."""
    ordered = sorted(resources, key=lambda r: len(_names(r.id)))
    parameterize = not options & {"SkipResourceNameParameterization", "SkipAllParameterization"}
    with_defaults = "IncludeParameterDefaultValue" in options
    parameters: dict[str, Any] = {}
    # The template expression of each exported resource's name, by id (lower case): children use
    # their parent's.
    name_expressions: dict[str, tuple[str, ...]] = {}
    exported: list[dict[str, Any]] = []
    for resource in ordered:
        names = _names(resource.id)
        parent_id = resource.id.rsplit("/", 2)[0]
        parent = name_expressions.get(parent_id.lower()) if len(names) > 1 else None
        if parameterize and parent is None:
            parameter = _parameter_name(resource.type, names)
            parameters[parameter] = (
                {"defaultValue": "/".join(names), "type": "String"} if with_defaults else {"type": "String"}
            )
            parts: tuple[str, ...] = (f"parameters({_quoted(parameter)})",)
        elif parameterize and parent is not None:
            parts = (*parent, _quoted(names[-1]))
        else:
            parts = tuple(_quoted(n) for n in names)
        name_expressions[resource.id.lower()] = parts
        item: dict[str, Any] = {"type": resource.type, "apiVersion": api_version_of(resource.type)}
        if parameterize:
            joined = parts[0] if len(parts) == 1 else f"concat({', '.join(_slashed(parts))})"
            item["name"] = f"[{joined}]"
        else:
            item["name"] = "/".join(names)
        if parent is not None:
            parent_type = resource.type.rsplit("/", 1)[0]
            arguments = ", ".join(parent) if parameterize else ", ".join(_quoted(n) for n in names[:-1])
            item["dependsOn"] = [f"[resourceId({_quoted(parent_type)}, {arguments})]"]
        for field in _TOP_LEVEL:
            value = resource.body.get(field)
            if value is not None:
                item[field] = _without_read_only_identity(value) if field == "identity" else value
        properties = resource.body.get("properties")
        if isinstance(properties, Mapping):
            item["properties"] = {k: v for k, v in properties.items() if k != "provisioningState"}
        if "IncludeComments" in options:
            item["comments"] = f"Generalized from resource: '{resource.id}'."
        exported.append(item)
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": parameters,
        "variables": {},
        "resources": exported,
    }


def _slashed(parts: tuple[str, ...]) -> list[str]:
    """`concat` arguments with `'/'` between name parts: the first is the parent's expression, the
    rest quoted child names, so `'/child'` is written as one literal."""
    head, *rest = parts
    return [head, *(f"'/{p[1:]}" for p in rest)]


def _without_read_only_identity(identity: Any) -> Any:
    if not isinstance(identity, Mapping):
        return identity
    shown = {k: v for k, v in identity.items() if k not in ("principalId", "tenantId")}
    users = shown.get("userAssignedIdentities")
    if isinstance(users, Mapping):
        shown["userAssignedIdentities"] = {key: {} for key in users}
    return shown
