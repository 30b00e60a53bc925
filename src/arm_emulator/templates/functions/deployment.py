"""Deployment-value and scope functions: parameters, variables, deployment, environment, resourceGroup,
subscription, tenant, managementGroup, deployer."""

from __future__ import annotations

import copy
from typing import Any

from ..errors import ExpressionFailure
from ..evaluator import Context, function
from . import _checks as c


@function("parameters", 1)
def _parameters(ctx: Context, name: Any) -> Any:
    return ctx.symbols.parameter(ctx, c.text("parameters", name))


@function("variables", 1)
def _variables(ctx: Context, name: Any) -> Any:
    return ctx.symbols.variable(ctx, c.text("variables", name))


def _not_here(name: str, scope: str) -> ExpressionFailure:
    return ExpressionFailure(
        f"The template function '{name}' is not expected at this location. It is not available in a "
        f"deployment at {scope} scope."
    )


@function("resourceGroup", 0)
def _resource_group(ctx: Context) -> dict:
    if ctx.scope.resource_group is None:
        raise _not_here("resourceGroup", "subscription, management group or tenant")
    return copy.deepcopy(ctx.scope.resource_group)


@function("subscription", 0)
def _subscription(ctx: Context) -> dict:
    if ctx.scope.subscription_id is None:
        raise _not_here("subscription", "management group or tenant")
    return {
        "id": f"/subscriptions/{ctx.scope.subscription_id}",
        "subscriptionId": ctx.scope.subscription_id,
        "tenantId": ctx.scope.tenant_id,
        "displayName": ctx.scope.subscription_display_name or ctx.scope.subscription_id,
    }


@function("tenant", 0)
def _tenant(ctx: Context) -> dict:
    return {
        "countryCode": "US",
        "displayName": "Default Directory",
        "id": f"/tenants/{ctx.scope.tenant_id}",
        "tenantId": ctx.scope.tenant_id,
    }


@function("managementGroup", 0)
def _management_group(ctx: Context) -> dict:
    group = ctx.scope.management_group
    if group is None:
        raise _not_here("managementGroup", "resource group, subscription or tenant")
    return {
        "id": f"/providers/Microsoft.Management/managementGroups/{group}",
        "name": group,
        "type": "Microsoft.Management/managementGroups",
        "properties": {"displayName": group, "tenantId": ctx.scope.tenant_id},
    }


@function("deployment", 0)
def _deployment(ctx: Context) -> dict:
    return ctx.symbols.deployment_object(ctx)


@function("deployer", 0)
def _deployer(ctx: Context) -> dict:
    return {
        "objectId": ctx.extras.get("deployer_object_id", "00000000-0000-0000-0000-000000000000"),
        "tenantId": ctx.scope.tenant_id,
    }


@function("environment", 0)
def _environment(ctx: Context) -> dict:
    return copy.deepcopy(ctx.scope.environment)
