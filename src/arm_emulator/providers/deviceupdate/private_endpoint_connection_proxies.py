"""Microsoft.DeviceUpdate/accounts/privateEndpointConnectionProxies: what the network RP calls while it makes
a private endpoint ("INTERNAL - DO NOT USE" in the swagger). PUT and DELETE are LROs (PUT answers 201 only);
POST `validate` and `updatePrivateEndpointProperties` answer 200 with no body."""

from __future__ import annotations

from ...arm import errors
from ...arm.bodies import json_copy, validate
from ...arm.resource_type import (
    ANY_ARM_NAME,
    Action,
    ActionContext,
    ActionResult,
    Body,
    ModelNames,
    ResourceContext,
    ResourceType,
    versioned,
)
from .private_endpoint_connections import PRIVATE_ENDPOINT_CONNECTIONS
from .private_link_resources import GROUP_ID
from .versions import API_VERSIONS, PACKAGE, models_of


def _proxy_fields(ctx: ResourceContext, body: Body) -> Body:
    """Each private link service proxy gets the connectivity of the groups the endpoint asks for, with the
    account's one member (the reference's 201 answers `groupConnectivityInformation: []` so)."""
    remote = body.get("remotePrivateEndpoint")
    if not isinstance(remote, dict):
        return body
    connections = [
        *(remote.get("manualPrivateLinkServiceConnections") or []),
        *(remote.get("privateLinkServiceConnections") or []),
    ]
    group_ids = list(dict.fromkeys(g for c in connections for g in (c.get("groupIds") or [])))
    for proxy in remote.get("privateLinkServiceProxies") or []:
        if not proxy.get("groupConnectivityInformation"):
            proxy["groupConnectivityInformation"] = [{"groupId": g, "memberName": GROUP_ID} for g in group_ids]
    return body


def _required(body: Body | None) -> Body:
    if body is None:
        raise errors.invalid_request_content("The request body is required")
    return body


def _validate(ctx: ActionContext, body: Body | None) -> ActionResult:
    """PrivateEndpointConnectionProxies_Validate: 200 (no body) if the proxy could be written as sent."""
    validate(PRIVATE_ENDPOINT_CONNECTION_PROXIES.api_versions[ctx.api_version].request, _required(body))
    return ActionResult(200)


def _update_private_endpoint_properties(ctx: ActionContext, body: Body | None) -> ActionResult:
    """PrivateEndpointConnectionProxies_UpdatePrivateEndpointProperties: 200 (no body) for a valid
    PrivateEndpointUpdate, whose fields the proxy's `remotePrivateEndpoint` then carries."""
    update = validate(models_of(ctx.api_version).PrivateEndpointUpdate, _required(body))
    proxy = json_copy(ctx.resource or {})
    proxy["remotePrivateEndpoint"] = {**(proxy.get("remotePrivateEndpoint") or {}), **update}
    return ActionResult(200, resource=proxy)


PRIVATE_ENDPOINT_CONNECTION_PROXIES = ResourceType(
    type_segments=("accounts", "privateEndpointConnectionProxies"),
    name_parameters=("accountName", "privateEndpointConnectionProxyId"),
    name_rule=ANY_ARM_NAME,
    api_versions=versioned(
        PACKAGE,
        API_VERSIONS,
        ModelNames(request="PrivateEndpointConnectionProxyRequest", response="PrivateEndpointConnectionProxyResponse"),
    ),
    lifecycle=PRIVATE_ENDPOINT_CONNECTIONS.lifecycle,  # the same codes and states as a connection
    prepare=_proxy_fields,
    list_by_subscription=False,
    list_by_resource_group=False,
    list_by_parent=True,
    location_required=False,
    etag_in_body=False,
    actions=(
        Action("validate", _validate, resource_required=False),  # the network RP validates before it PUTs
        Action("updatePrivateEndpointProperties", _update_private_endpoint_properties),
    ),
)
