"""The private endpoint connections of workspaces and of legacy services
(`.../workspaces/{w}/privateEndpointConnections/{name}`, `.../services/{s}/privateEndpointConnections/{name}`):
GET, list by parent, PUT to approve or reject, DELETE. The parent lists them in
`properties.privateEndpointConnections` (the engine keeps that list, `embedded_in_parent`).

The real service only updates connections a private endpoint made (a PUT for any other is refused: recorded
400 `BadRequest` "Private Endpoint Connection in request contains null or empty Id."). The emulator has no
Microsoft.Network, so a PUT of an absent connection makes it, as if a private endpoint of the same name had
asked for it: that is how a test gets one to approve.
"""

from __future__ import annotations

from ...arm.bodies import json_copy
from ...arm.resource_type import (
    ANY_ARM_NAME,
    Body,
    Lifecycle,
    LroProfile,
    LroStep,
    ModelNames,
    ResourceContext,
    ResourceType,
    versioned,
)
from .versions import PACKAGE, SERVICE_PRIVATE_LINK_API_VERSIONS, WORKSPACE_API_VERSIONS

LISTED_FIELD = "privateEndpointConnections"


def _connection_fields(ctx: ResourceContext, body: Body) -> Body:
    properties = body.setdefault("properties", {})
    previous = (ctx.existing or {}).get("properties") or {}
    # The private endpoint is the network RP's (read-only): a PUT changes the connection's state only.
    if previous.get("privateEndpoint"):
        properties["privateEndpoint"] = json_copy(previous["privateEndpoint"])
    else:
        endpoint = ctx.resource_id.name.split(".", 1)[0]
        properties["privateEndpoint"] = {
            "id": f"/subscriptions/{ctx.resource_id.subscription_id}/resourceGroups/{ctx.resource_id.resource_group}"
            f"/providers/Microsoft.Network/privateEndpoints/{endpoint}"
        }
    state = properties.setdefault("privateLinkServiceConnectionState", {"status": "Pending"})
    state.setdefault("actionsRequired", "None")  # as in the reference's examples
    return body


_AT_ONCE = LroProfile(status_code=200)  # the SDKs accept 200 only; the reference's example is `Succeeded`
_LIFECYCLE = Lifecycle(
    create=_AT_ONCE,
    replace=_AT_ONCE,
    unchanged=_AT_ONCE,
    patch=_AT_ONCE,  # no PATCH in the swagger: the engine answers 405
    patch_tags_only=_AT_ONCE,
    delete=LroProfile(status_code=202, steps=(LroStep("Deleting", "Running"),), location_header=True),
)


def _connections(parent: str, parameter: str, api_versions: tuple[str, ...], request: str) -> ResourceType:
    return ResourceType(
        type_segments=(parent, "privateEndpointConnections"),
        name_parameters=(parameter, "privateEndpointConnectionName"),
        name_rule=ANY_ARM_NAME,
        api_versions=versioned(
            PACKAGE, api_versions, ModelNames(request=request, response="PrivateEndpointConnectionDescriptionResponse")
        ),
        lifecycle=_LIFECYCLE,
        prepare=_connection_fields,
        list_by_subscription=False,
        list_by_resource_group=False,
        list_by_parent=True,
        location_required=False,
        etag_in_body=False,
        embedded_in_parent=LISTED_FIELD,
    )


# The workspace PUT takes the swagger's PrivateEndpointConnectionDescription, the services PUT the
# common-types PrivateEndpointConnection: the same fields but systemData.
WORKSPACE_PRIVATE_ENDPOINT_CONNECTIONS = _connections(
    "workspaces", "workspaceName", WORKSPACE_API_VERSIONS, "PrivateEndpointConnectionDescriptionRequest"
)
SERVICE_PRIVATE_ENDPOINT_CONNECTIONS = _connections(
    "services", "resourceName", SERVICE_PRIVATE_LINK_API_VERSIONS, "PrivateEndpointConnectionRequest"
)
