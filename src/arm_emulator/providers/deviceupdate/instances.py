"""Microsoft.DeviceUpdate/accounts/instances: PUT and DELETE are LROs (PUT answers 201 only, as the Python
SDK requires), PATCH changes tags synchronously; an account's instances go when the account does."""

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
from .versions import API_VERSIONS, PACKAGE

INSTANCE_NAME = NameRule(
    r"(?=.{3,36}$)[A-Za-z0-9]+(-[A-Za-z0-9]+)*",
    "The name must be 3 to 36 characters long and contain only letters, digits and single hyphens between them.",
)


def _instance_fields(ctx: ResourceContext, body: Body) -> Body:
    properties = body.setdefault("properties", {})
    # The parent account's name as it was created (the URL may spell it in another casing).
    account_id = ctx.resource_id.parent
    account = ctx.lookup(account_id.id) if account_id is not None else None
    properties["accountName"] = (account or {}).get("name") or ctx.resource_id.types[0][1]
    storage = properties.get("diagnosticStorageProperties")
    if isinstance(storage, dict):
        # `x-ms-secret`: accepted on a write, never answered (the reference's 201 leaves it out).
        storage.pop("connectionString", None)
    return body


_ACCEPTED = LroProfile(status_code=201, steps=(LroStep("Accepted", "Accepted"),))

INSTANCES = ResourceType(
    type_segments=("accounts", "instances"),
    name_parameters=("accountName", "instanceName"),
    name_rule=INSTANCE_NAME,
    api_versions=versioned(
        PACKAGE,
        API_VERSIONS,
        ModelNames(request="InstanceRequest", response="InstanceResponse", patch="TagUpdate"),
    ),
    lifecycle=Lifecycle(
        create=LroProfile(status_code=201, steps=(LroStep("Accepted", "Accepted"), LroStep("Creating", "Creating"))),
        replace=_ACCEPTED,
        unchanged=_ACCEPTED,
        # Instances_Update: tags only, 200 and not a long-running operation.
        patch=LroProfile(status_code=200),
        patch_tags_only=LroProfile(status_code=200),
        delete=LroProfile(status_code=202, steps=(LroStep("Deleting", "Deleting"),), location_header=True),
    ),
    prepare=_instance_fields,
    list_by_subscription=False,
    list_by_resource_group=False,
    list_by_parent=True,
    head=True,
    etag_in_body=False,
)
