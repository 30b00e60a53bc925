"""Microsoft.DeviceUpdate/accounts/privateLinkResources: read-only, one group per account, as the
reference's examples answer it (PrivateLinkResources_Get / _ListByAccount, 2023-07-01)."""

from __future__ import annotations

from ...arm.resource_type import (
    Body,
    Lifecycle,
    LroProfile,
    ModelNames,
    NameRule,
    ResourceContext,
    ResourceType,
    versioned,
)
from .versions import API_VERSIONS, PACKAGE

GROUP_ID = "adu"
TYPE = "Microsoft.DeviceUpdate/accounts/privateLinkResources"


def _private_link_resources(ctx: ResourceContext, account: Body) -> list[Body]:
    account_id = account.get("id") or ctx.resource_id.id
    return [
        {
            "id": f"{account_id}/privateLinkResources/{GROUP_ID}",
            "name": GROUP_ID,
            "type": TYPE,
            "properties": {
                "groupId": GROUP_ID,
                "requiredMembers": [GROUP_ID],
                "requiredZoneNames": ["privatelink.adu.microsoft.com"],
            },
        }
    ]


_READ_ONLY = LroProfile(status_code=200)  # nothing is written: only GET and list are served

PRIVATE_LINK_RESOURCES = ResourceType(
    type_segments=("accounts", "privateLinkResources"),
    name_parameters=("accountName", "groupId"),
    name_rule=NameRule(r".+", "Any group id."),
    api_versions=versioned(
        PACKAGE,
        API_VERSIONS,
        ModelNames(request="GroupInformationRequest", response="GroupInformationResponse"),
    ),
    lifecycle=Lifecycle(
        create=_READ_ONLY,
        replace=_READ_ONLY,
        unchanged=_READ_ONLY,
        patch=_READ_ONLY,
        patch_tags_only=_READ_ONLY,
        delete=_READ_ONLY,
    ),
    list_by_subscription=False,
    list_by_resource_group=False,
    list_by_parent=True,
    location_required=False,
    etag_in_body=False,
    computed_from_parent=_private_link_resources,
)
