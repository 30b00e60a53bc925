"""Resource functions (template-functions-resource): resource ids, reference, list*, pickZones."""

from __future__ import annotations

from typing import Any

from ..errors import ExpressionFailure
from ..evaluator import Context, function
from ..resource_ids import compose_id, split_type
from . import _checks as c


def _strings(name: str, values: tuple[Any, ...]) -> list[str]:
    return [c.text(name, v) for v in values]


def _type_index(name: str, args: list[str]) -> int:
    for i, arg in enumerate(args):
        if "/" in arg:
            return i
    raise c.fail(name, "a resource type ('Namespace/type') argument is required.")


def _names(name: str, resource_type: str, names: list[str]) -> list[str]:
    parts = [piece for n in names for piece in n.split("/")]
    _, types = split_type(resource_type)
    if len(parts) != len(types):
        raise c.fail(name, f"the type '{resource_type}' requires '{len(types)}' resource name argument(s).")
    return parts


@function("resourceId", 2, None)
def _resource_id(ctx: Context, *values: Any) -> str:
    args = _strings("resourceId", values)
    at = _type_index("resourceId", args)
    if at > 2:
        raise c.fail("resourceId", "at most a subscription id and a resource group name may precede the type.")
    resource_type = args[at]
    names = _names("resourceId", resource_type, args[at + 1 :])
    scope = ctx.scope
    subscription = args[0] if at == 2 else scope.subscription_id
    if at >= 1:
        group: str | None = args[at - 1]
    else:
        group = scope.resource_group["name"] if scope.resource_group else None
    if group is not None and subscription:
        base = f"/subscriptions/{subscription}/resourceGroups/{group}"
    elif subscription:
        base = f"/subscriptions/{subscription}"
    elif scope.management_group:
        base = f"/providers/Microsoft.Management/managementGroups/{scope.management_group}"
    else:
        base = ""
    return compose_id(base, resource_type, names)


@function("subscriptionResourceId", 2, None)
def _subscription_resource_id(ctx: Context, *values: Any) -> str:
    args = _strings("subscriptionResourceId", values)
    at = _type_index("subscriptionResourceId", args)
    if at > 1:
        raise c.fail("subscriptionResourceId", "only a subscription id may precede the type.")
    subscription = args[0] if at == 1 else ctx.scope.subscription_id
    if not subscription:
        raise c.fail("subscriptionResourceId", "the deployment has no subscription; pass the subscription id.")
    names = _names("subscriptionResourceId", args[at], args[at + 1 :])
    return compose_id(f"/subscriptions/{subscription}", args[at], names)


@function("tenantResourceId", 2, None)
def _tenant_resource_id(ctx: Context, *values: Any) -> str:
    args = _strings("tenantResourceId", values)
    names = _names("tenantResourceId", args[0], args[1:])
    return compose_id("", args[0], names)


@function("extensionResourceId", 3, None)
def _extension_resource_id(ctx: Context, *values: Any) -> str:
    args = _strings("extensionResourceId", values)
    names = _names("extensionResourceId", args[1], args[2:])
    return compose_id(args[0].rstrip("/"), args[1], names)


@function("managementGroupResourceId", 2, None)
def _management_group_resource_id(ctx: Context, *values: Any) -> str:
    args = _strings("managementGroupResourceId", values)
    at = _type_index("managementGroupResourceId", args)
    group = args[0] if at == 1 else ctx.scope.management_group
    if not group:
        raise c.fail("managementGroupResourceId", "the deployment has no management group; pass its id.")
    names = _names("managementGroupResourceId", args[at], args[at + 1 :])
    return compose_id(f"/providers/Microsoft.Management/managementGroups/{group}", args[at], names)


@function("reference", 1, 3)
def _reference(ctx: Context, target: Any, api_version: Any = None, full: Any = None) -> Any:
    host = ctx.require_runtime("reference")
    resource_id, declared_version = ctx.symbols.resolve_target(ctx, c.text("reference", target), "reference")
    if api_version is not None:
        api_version = c.text("reference", api_version)
    is_full = isinstance(full, str) and full.lower() == "full"
    if full is not None and not is_full:
        raise c.fail("reference", f"the third parameter must be 'Full'; got '{full}'.")
    return host.reference(resource_id, api_version or declared_version, is_full)


@function("references", 1, 2)
def _references(ctx: Context, target: Any, full: Any = None) -> list:
    host = ctx.require_runtime("references")
    is_full = isinstance(full, str) and full.lower() == "full"
    members = ctx.symbols.collection_members(ctx, c.text("references", target))
    return [host.reference(resource_id, api, is_full) for resource_id, api in members]


# ARM function names are case-insensitive but RP actions are spelt one way: listkeys() posts .../listKeys.
_LIST_ACTIONS = {
    name.lower(): name
    for name in (
        "listKeys",
        "listSecrets",
        "listAccountSas",
        "listServiceSas",
        "listConnectionStrings",
        "listCredentials",
        "listCredential",
        "listAdminKeys",
        "listQueryKeys",
        "listAuthKeys",
        "listKeyValue",
        "listPackage",
        "listSyncFunctionTriggerStatus",
    )
}


@function("list*", 2, 3)
def _list(ctx: Context, function_name: str, target: Any, api_version: Any = None, body: Any = None) -> Any:
    function_name = _LIST_ACTIONS.get(function_name.lower(), function_name)
    host = ctx.require_runtime(function_name)
    if api_version is None:
        raise ExpressionFailure(
            f"Unable to evaluate template language function '{function_name}': the api version is required."
        )
    resource_id, _ = ctx.symbols.resolve_target(ctx, c.text(function_name, target), function_name)
    return host.invoke_list(resource_id, function_name, c.text(function_name, api_version), body)


@function("pickZones", 3, 5)
def _pick_zones(
    ctx: Context, namespace: Any, resource_type: Any, location: Any, count: Any = 1, offset: Any = 0
) -> list:
    count = c.integer("pickZones", count)
    offset = c.integer("pickZones", offset)
    zones = ["1", "2", "3"]
    return zones[offset : offset + count]


@function("providers", 1, 2)
def _providers(ctx: Context, namespace: Any, resource_type: Any = None) -> Any:
    raise ExpressionFailure(
        "The template function 'providers' is deprecated and not supported; use a fixed api version."
    )
