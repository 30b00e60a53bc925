"""Microsoft.DeviceUpdate/accounts/privateEndpointConnections: PUT (approve or reject) and DELETE are LROs
(PUT answers 201 only); the account lists its connections in `properties.privateEndpointConnections`."""

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
from .versions import API_VERSIONS, PACKAGE


def _connection_fields(ctx: ResourceContext, body: Body) -> Body:
    properties = body.setdefault("properties", {})
    previous = (ctx.existing or {}).get("properties") or {}
    # The private endpoint is the network RP's (read-only): a PUT changes the connection's state, not it.
    if previous.get("privateEndpoint"):
        properties["privateEndpoint"] = json_copy(previous["privateEndpoint"])
    elif not properties.get("privateEndpoint"):
        properties.pop("privateEndpoint", None)
    if "groupIds" not in properties and "groupIds" in previous:
        properties["groupIds"] = list(previous["groupIds"])
    state = properties.get("privateLinkServiceConnectionState")
    if isinstance(state, dict):
        state.setdefault("actionsRequired", "None")  # as in the reference's examples
    return body


# Creating is the only state of this type's enum (Succeeded, Creating, Deleting, Failed) a write can be in.
_WRITING = LroProfile(status_code=201, steps=(LroStep("Creating", "Creating"),))
_NO_PATCH = LroProfile(status_code=200)  # no PATCH in the swagger: the engine answers 405

PRIVATE_ENDPOINT_CONNECTIONS = ResourceType(
    type_segments=("accounts", "privateEndpointConnections"),
    name_parameters=("accountName", "privateEndpointConnectionName"),
    name_rule=ANY_ARM_NAME,
    api_versions=versioned(
        PACKAGE,
        API_VERSIONS,
        ModelNames(request="PrivateEndpointConnectionRequest", response="PrivateEndpointConnectionResponse"),
    ),
    lifecycle=Lifecycle(
        create=_WRITING,
        replace=_WRITING,
        unchanged=_WRITING,
        patch=_NO_PATCH,
        patch_tags_only=_NO_PATCH,
        delete=LroProfile(status_code=202, steps=(LroStep("Deleting", "Deleting"),), location_header=True),
    ),
    prepare=_connection_fields,
    list_by_subscription=False,
    list_by_resource_group=False,
    list_by_parent=True,
    location_required=False,
    etag_in_body=False,
    embedded_in_parent="privateEndpointConnections",
)
