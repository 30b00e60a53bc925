"""Microsoft.HealthcareApis/workspaces: PUT completes synchronously, DELETE is a short LRO; a workspace lists its
private endpoint connections (private_endpoint_connections.py)."""

from __future__ import annotations

from ...arm.resource_type import (
    Body,
    Lifecycle,
    LroProfile,
    LroStep,
    ModelNames,
    NameRule,
    ResourceContext,
    ResourceType,
    versioned,
)
from .versions import PACKAGE, WORKSPACE_API_VERSIONS

# The 2022-06-01 spec's pattern for the read-only `name` (so 3 to 23 characters, not the 24 the path allows).
HEALTHCARE_NAME = NameRule(
    r"[a-z0-9][a-z0-9-]{1,21}[a-z0-9]",
    "The name must be 3 to 23 characters long, contain only lower-case letters, digits and hyphens, "
    "and start and end with a letter or digit.",
)


def _workspace_defaults(ctx: ResourceContext, body: Body) -> Body:
    properties = body.setdefault("properties", {})
    properties["privateEndpointConnections"] = []  # read-only: the engine lists the stored connections
    properties.setdefault("publicNetworkAccess", "Enabled")  # read-only up to 2022-06-01: always Enabled there
    return body


_SYNC_OK = LroProfile(status_code=200)

WORKSPACES = ResourceType(
    type_segments=("workspaces",),
    name_parameters=("workspaceName",),
    name_rule=HEALTHCARE_NAME,
    api_versions=versioned(
        PACKAGE,
        WORKSPACE_API_VERSIONS,
        ModelNames(request="WorkspaceRequest", response="WorkspaceResponse", patch="ResourceTags"),
    ),
    lifecycle=Lifecycle(
        create=LroProfile(status_code=201),
        replace=_SYNC_OK,
        unchanged=_SYNC_OK,
        patch=_SYNC_OK,
        patch_tags_only=_SYNC_OK,
        delete=LroProfile(
            status_code=202,
            steps=(LroStep("Deleting", "Requested"),),
            async_operation_header=True,
            location_header=True,
        ),
    ),
    prepare=_workspace_defaults,
    refuse_delete_with_children=True,
)
