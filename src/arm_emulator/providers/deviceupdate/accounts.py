"""Microsoft.DeviceUpdate/accounts: every write is an LRO answered 201 (the Python SDK accepts only 201)."""

from __future__ import annotations

from ...arm.identity import fill_managed_identity
from ...arm.regions import paired_region
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
from .versions import API_VERSIONS, PACKAGE

ACCOUNT_NAME = NameRule(
    r"(?=.{3,24}$)[A-Za-z0-9]+(-[A-Za-z0-9]+)*",
    "The name must be 3 to 24 characters long and contain only letters, digits and single hyphens between them.",
)


def _account_fields(ctx: ResourceContext, body: Body) -> Body:
    properties = body.setdefault("properties", {})
    properties["hostName"] = f"{ctx.resource_id.name.lower()}.api.adu.microsoft.com"
    location = body["location"]
    locations = [{"name": location, "role": "Primary"}]
    failover = paired_region(location)
    if failover:
        locations.append({"name": failover, "role": "Failover"})
    properties["locations"] = locations
    # The account's private endpoint connections are its children, which the engine lists (and shows
    # no list while there are none, as recorded): never what a request sends.
    properties.pop("privateEndpointConnections", None)
    return fill_managed_identity(ctx, body)


_ACCEPTED = LroProfile(status_code=201, steps=(LroStep("Accepted", "Accepted"),))

ACCOUNTS = ResourceType(
    type_segments=("accounts",),
    name_parameters=("accountName",),
    name_rule=ACCOUNT_NAME,
    api_versions=versioned(
        PACKAGE,
        API_VERSIONS,
        ModelNames(request="AccountRequest", response="AccountResponse", patch="AccountUpdateRequest"),
    ),
    lifecycle=Lifecycle(
        create=LroProfile(status_code=201, steps=(LroStep("Accepted", "Accepted"), LroStep("Creating", "Creating"))),
        replace=_ACCEPTED,
        unchanged=_ACCEPTED,
        patch=_ACCEPTED,
        patch_tags_only=_ACCEPTED,
        delete=LroProfile(status_code=202, steps=(LroStep("Deleting", "Deleting"),), location_header=True),
    ),
    prepare=_account_fields,
    head=True,
    etag_in_body=False,
)
