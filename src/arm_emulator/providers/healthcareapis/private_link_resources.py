"""The private link resources of workspaces and of legacy services: read-only, one group each, computed from
the parent (`computed_from_parent`) as the reference's examples show them
(`PrivateLinkResourcesListByWorkspace.json`, `legacy/PrivateLinkResourceGet.json`)."""

from __future__ import annotations

from ...arm.resource_type import (
    ANY_ARM_NAME,
    Body,
    ComputedItems,
    Lifecycle,
    LroProfile,
    ModelNames,
    ResourceContext,
    ResourceType,
    versioned,
)
from .versions import PACKAGE, SERVICE_PRIVATE_LINK_API_VERSIONS, WORKSPACE_API_VERSIONS


def _group(ctx: ResourceContext, group: str, members: list[str], zones: list[str]) -> Body:
    parent = ctx.resource_id
    return {
        "id": f"{parent.id}/privateLinkResources/{group}",
        "name": group,
        "type": f"{parent.type_name}/privateLinkResources",
        "properties": {"groupId": group, "requiredMembers": members, "requiredZoneNames": zones},
    }


def workspace_groups(ctx: ResourceContext, _parent: Body) -> list[Body]:
    return [
        _group(
            ctx,
            "healthcareworkspace",
            ["fhirservices", "dicomservices"],
            ["privatelink.fhir.azurehealthcareapis.com", "privatelink.dicom.azurehealthcareapis.com"],
        )
    ]


def service_groups(ctx: ResourceContext, _parent: Body) -> list[Body]:
    return [_group(ctx, "fhir", ["fhir"], ["privatelink.azurehealthcareapis.com"])]


_READ_ONLY = LroProfile(status_code=200)  # nothing is written: GET and list only


def _link_resources(parent: str, parameter: str, api_versions: tuple[str, ...], groups: ComputedItems) -> ResourceType:
    return ResourceType(
        type_segments=(parent, "privateLinkResources"),
        name_parameters=(parameter, "groupName"),
        name_rule=ANY_ARM_NAME,
        api_versions=versioned(
            PACKAGE,
            api_versions,
            ModelNames(
                request="PrivateLinkResourceDescriptionRequest", response="PrivateLinkResourceDescriptionResponse"
            ),
        ),
        lifecycle=Lifecycle(*(_READ_ONLY,) * 6),
        list_by_subscription=False,
        list_by_resource_group=False,
        list_by_parent=True,
        location_required=False,
        etag_in_body=False,
        computed_from_parent=groups,
    )


WORKSPACE_PRIVATE_LINK_RESOURCES = _link_resources(
    "workspaces", "workspaceName", WORKSPACE_API_VERSIONS, workspace_groups
)
SERVICE_PRIVATE_LINK_RESOURCES = _link_resources(
    "services", "resourceName", SERVICE_PRIVATE_LINK_API_VERSIONS, service_groups
)
