"""Microsoft.HealthcareApis/workspaces/fhirservices: created, updated and deleted like DICOM services
(recorded: PUT 201 with Azure-AsyncOperation, tags-only PATCH 200, DELETE 202 with both headers)."""

from __future__ import annotations

from ...arm.bodies import json_copy
from ...arm.identity import fill_managed_identity
from ...arm.resource_type import Body, ModelNames, ResourceContext, ResourceType, versioned
from .dicomservices import DEFAULT_CORS, DICOM_SERVICES
from .versions import PACKAGE, WORKSPACE_API_VERSIONS
from .workspaces import HEALTHCARE_NAME


def _fhir_defaults(ctx: ResourceContext, body: Body) -> Body:
    workspace, fhir = (name.lower() for _, name in ctx.resource_id.types)
    properties = body.setdefault("properties", {})
    # Writable: what the client sends is kept; what it leaves out the service fills in (the authority of
    # the subscription's tenant, the service's own URL as audience).
    authentication = properties.setdefault("authenticationConfiguration", {})
    authentication.setdefault("authority", f"https://login.microsoftonline.com/{ctx.tenant_id}")
    authentication.setdefault("audience", f"https://{workspace}-{fhir}.fhir.azurehealthcareapis.com")
    authentication.setdefault("smartProxyEnabled", False)
    # As recorded (2021-11-01) when the request had none of them: no access policies (shown up to
    # 2023-02-28), no ACR login servers, every resource versioned, events off.
    properties.setdefault("accessPolicies", [])
    properties.setdefault("acrConfiguration", {}).setdefault("loginServers", [])
    properties.setdefault("resourceVersionPolicyConfiguration", {"default": "versioned"})
    properties["eventState"] = "Disabled"  # read-only; Enabled only with an Event Grid subscription
    # As the DICOM service and the recorded Azure API for FHIR fill them.
    properties.setdefault("corsConfiguration", json_copy(DEFAULT_CORS))
    properties.setdefault("exportConfiguration", {})
    properties.setdefault("publicNetworkAccess", "Enabled")  # read-only up to 2024-03-31: always Enabled there
    properties.setdefault("privateEndpointConnections", [])  # read-only; FHIR services have none of their own
    return fill_managed_identity(ctx, body)


FHIR_SERVICES = ResourceType(
    type_segments=("workspaces", "fhirservices"),
    name_parameters=("workspaceName", "fhirServiceName"),
    name_rule=HEALTHCARE_NAME,
    api_versions=versioned(
        PACKAGE,
        WORKSPACE_API_VERSIONS,
        ModelNames(
            request="FhirServiceRequest", response="FhirServiceResponse", patch="FhirServicePatchResourceRequest"
        ),
    ),
    lifecycle=DICOM_SERVICES.lifecycle,
    prepare=_fhir_defaults,
    list_by_subscription=False,
    list_by_resource_group=False,
    list_by_parent=True,
)
