"""Microsoft.HealthcareApis/workspaces/dicomservices: creates, updates and deletes are real LROs."""

from __future__ import annotations

from ...arm.bodies import json_copy
from ...arm.identity import fill_managed_identity
from ...arm.resource_type import (
    Body,
    Lifecycle,
    LroProfile,
    LroStep,
    ModelNames,
    ResourceContext,
    ResourceType,
    versioned,
)
from .versions import PACKAGE, WORKSPACE_API_VERSIONS
from .workspaces import HEALTHCARE_NAME

# The 2022-06-01 reference page's sample values.
AUDIENCES = ["https://azurehealthcareapis.com/", "https://azurehealthcareapis.com"]
# What the 2022-06-01 service returns when no CORS configuration was sent (recorded traffic).
DEFAULT_CORS = {"origins": [], "headers": [], "methods": [], "allowCredentials": False}


def _dicom_defaults(ctx: ResourceContext, body: Body) -> Body:
    properties = body.setdefault("properties", {})
    properties["authenticationConfiguration"] = {
        "authority": f"https://login.microsoftonline.com/{ctx.tenant_id}",
        "audiences": list(AUDIENCES),
    }
    if "corsConfiguration" not in properties:
        properties["corsConfiguration"] = json_copy(DEFAULT_CORS)
    properties.setdefault("privateEndpointConnections", [])
    properties.setdefault("publicNetworkAccess", "Enabled")  # read-only up to 2022-06-01: always Enabled there
    # Fields later versions added, as the service fills them when nobody set them (each version
    # shows only those it knows: arm.projection).
    properties["eventState"] = "Disabled"  # 2022-12-01; read-only, Enabled only with an Event Grid subscription
    properties.setdefault("storageConfiguration", {})  # 2024-03-01; the reference's 201 example has {}
    properties.setdefault("enableDataPartitions", False)  # 2024-03-31
    # serviceUrl is only known once the service is provisioned; an update keeps the old one.
    previous = ((ctx.existing or {}).get("properties") or {}).get("serviceUrl")
    if previous:
        properties["serviceUrl"] = previous
    return fill_managed_identity(ctx, body)


def _service_url(ctx: ResourceContext, body: Body) -> Body:
    workspace, dicom = (name.lower() for _, name in ctx.resource_id.types)
    body["properties"]["serviceUrl"] = f"https://{workspace}-{dicom}.dicom.azurehealthcareapis.com"
    return body


DICOM_SERVICES = ResourceType(
    type_segments=("workspaces", "dicomservices"),
    name_parameters=("workspaceName", "dicomServiceName"),
    name_rule=HEALTHCARE_NAME,
    api_versions=versioned(
        PACKAGE,
        WORKSPACE_API_VERSIONS,
        ModelNames(
            request="DicomServiceRequest",
            response="DicomServiceResponse",
            patch="DicomServicePatchResourceRequest",
        ),
    ),
    lifecycle=Lifecycle(
        create=LroProfile(status_code=201, steps=(LroStep("Creating", "Running"),)),
        replace=LroProfile(
            status_code=202,
            steps=(LroStep("Accepted", "Requested"), LroStep("Updating", "Running")),
            location_header=True,
        ),
        unchanged=LroProfile(status_code=200),
        patch=LroProfile(status_code=202, steps=(LroStep("Updating", "Running"),), location_header=True),
        patch_tags_only=LroProfile(status_code=200),
        delete=LroProfile(
            status_code=202,
            steps=(LroStep("Deleting", "Requested"), LroStep("Deleting", "Running")),
            location_header=True,
        ),
    ),
    prepare=_dicom_defaults,
    on_provisioned=_service_url,
    list_by_subscription=False,
    list_by_resource_group=False,
    list_by_parent=True,
)
