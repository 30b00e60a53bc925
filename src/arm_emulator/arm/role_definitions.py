"""ARM's role definitions (Microsoft.Authorization/roleDefinitions) as clients read them: the built-in
roles, at any scope, and the custom ones stored generically.

Clients resolve a role by name before they assign it: `az role assignment create --role Contributor`
and Terraform's `role_definition_name` list `{scope}/providers/Microsoft.Authorization/roleDefinitions`
with `$filter=roleName eq '…'`. The built-in roles served (`data/built_in_roles.json`) are the
general ones and those of the providers served here, as the public built-in roles reference lists
them. Custom roles (PUT, DELETE) are generic resources; only GET is answered here, and these routes
leave the path's other methods to the generic ones.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from . import errors
from .api_versions import require_dated_api_version
from .endpoints import FALLBACK_ROUTE_TAG, add_routes
from .extension_scopes import ExtensionScope
from .responses import json_response
from .runtime import runtime_of

# 2015-07-01 is the oldest the SDKs ship, 2022-04-01 azure-mgmt-authorization's and az's default.
KNOWN_API_VERSIONS = ("2015-07-01", "2018-01-01-preview", "2022-04-01")
ROLE_DEFINITION_TYPE = "Microsoft.Authorization/roleDefinitions"
ROLE_DEFINITIONS_SEGMENT = "/providers/" + ROLE_DEFINITION_TYPE
_ROLE_NAME = re.compile(r"\s*roleName\s+eq\s+'((?:[^']|'')*)'\s*", re.IGNORECASE)
_ROLE_TYPE = re.compile(r"\s*type\s+eq\s+'(BuiltInRole|CustomRole)'\s*", re.IGNORECASE)
_AT_SCOPE_AND_BELOW = re.compile(r"\s*atScopeAndBelow\(\s*\)\s*", re.IGNORECASE)


@functools.cache
def _built_in_roles() -> tuple[dict[str, Any], ...]:
    """Read on first use: start-up does not pay for it."""
    return tuple(json.loads((Path(__file__).parent / "data" / "built_in_roles.json").read_text()))


def _built_in_body(role: dict[str, Any], subscription_id: str) -> dict[str, Any]:
    """As ARM shows a built-in role read under a subscription: its id at that subscription."""
    return {
        "id": f"/subscriptions/{subscription_id}{ROLE_DEFINITIONS_SEGMENT}/{role['name']}",
        "name": role["name"],
        "type": ROLE_DEFINITION_TYPE,
        "properties": {
            "roleName": role["roleName"],
            "type": "BuiltInRole",
            "description": role["description"],
            "assignableScopes": ["/"],
            "permissions": role["permissions"],
        },
    }


def _custom_roles(scope: ExtensionScope) -> list[dict[str, Any]]:
    """The subscription's custom roles (stored generically, wherever they were written)."""
    with scope.runtime.store.transaction() as tx:
        stored = tx.resources_of_type(scope.subscription_id.lower(), ROLE_DEFINITION_TYPE.lower())
    return [record.body for record in stored]


def _matches(filters: dict[str, str], body: dict[str, Any]) -> bool:
    properties = body.get("properties") if isinstance(body.get("properties"), dict) else {}
    if "roleName" in filters and str(properties.get("roleName", "")).lower() != filters["roleName"].lower():
        return False
    return "type" not in filters or str(properties.get("type", "CustomRole")).lower() == filters["type"].lower()


def _filters(text: str | None) -> dict[str, str]:
    """RoleDefinitions_List's `$filter`: `roleName eq '…'`, `type eq 'BuiltInRole'|'CustomRole'`, and
    `atScopeAndBelow()` (every role definition here applies at and below any scope), joined by `and`."""
    found: dict[str, str] = {}
    if not text or not text.strip():
        return found
    for clause in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        if (name := _ROLE_NAME.fullmatch(clause)) is not None:
            found["roleName"] = name.group(1).replace("''", "'")
        elif (kind := _ROLE_TYPE.fullmatch(clause)) is not None:
            found["type"] = kind.group(1)
        elif _AT_SCOPE_AND_BELOW.fullmatch(clause) is None:
            raise errors.ArmError(
                400,
                "InvalidFilter",
                f"The filter '{text[:200]}' is not supported. Supported: roleName eq '{{name}}', "
                "type eq 'BuiltInRole' or 'CustomRole', atScopeAndBelow(), joined by 'and'.",
            )
    return found


def _scope(request: Request, params: dict[str, str]) -> ExtensionScope:
    require_dated_api_version(request, KNOWN_API_VERSIONS)
    scope = ExtensionScope(runtime_of(request), request.method, request.url.path, params["scope"])
    scope.require_exists()
    return scope


async def list_role_definitions(request: Request, params: dict[str, str]) -> Response:
    scope = _scope(request, params)
    filters = _filters(request.query_params.get("$filter"))
    bodies = [_built_in_body(role, scope.subscription_id) for role in _built_in_roles()]
    bodies += _custom_roles(scope)
    return json_response({"value": [body for body in bodies if _matches(filters, body)]})


async def get_role_definition(request: Request, params: dict[str, str]) -> Response:
    scope = _scope(request, params)
    wanted = params["roleDefinitionId"].lower()
    for role in _built_in_roles():
        if role["name"] == wanted:
            return json_response(_built_in_body(role, scope.subscription_id))
    for body in _custom_roles(scope):
        if str(body.get("name", "")).lower() == wanted:
            return json_response(body)
    raise errors.ArmError(
        404,
        "RoleDefinitionDoesNotExist",
        f"The specified role definition with ID '{params['roleDefinitionId']}' does not exist.",
    )


def register(router: APIRouter) -> None:
    at_scope = "/{scope:path}" + ROLE_DEFINITIONS_SEGMENT
    routes = [
        ("GET", at_scope, list_role_definitions, "RoleDefinitions_List"),
        ("GET", at_scope + "/{roleDefinitionId}", get_role_definition, "RoleDefinitions_Get"),
    ]
    # Tagged as standing with the generic routes: a PUT or DELETE of a custom role goes on to them.
    add_routes(router, routes, FALLBACK_ROUTE_TAG)
