"""Microsoft.HealthcareApis/workspaces/iotconnectors/fhirdestinations: where an IoT connector writes, a FHIR
service of the same subscription; created and deleted like the connector (recorded: PUT 201 with
Azure-AsyncOperation). The swagger has no PATCH for them."""

from __future__ import annotations

from ...arm.errors import ArmError
from ...arm.resource_type import Body, ModelNames, ResourceContext, ResourceType, versioned
from .dicomservices import DICOM_SERVICES
from .versions import PACKAGE, WORKSPACE_API_VERSIONS
from .workspaces import HEALTHCARE_NAME

FHIR_SERVICE_TYPE = "Microsoft.HealthcareApis/workspaces/fhirservices"


def invalid_fhir_service() -> ArmError:
    """The message the MedTech troubleshooting guide quotes for this case; the code is the one the
    service answers its own request checks with (recorded: `BadRequest`)."""
    return ArmError(400, "BadRequest", "The fhirServiceResourceId provided is invalid.")


def _require_fhir_service(ctx: ResourceContext, body: Body) -> Body:
    target = str((body.get("properties") or {}).get("fhirServiceResourceId") or "")
    found = ctx.lookup(target) if target.startswith("/") else None
    if found is None or str(found.get("type", "")).lower() != FHIR_SERVICE_TYPE.lower():
        raise invalid_fhir_service()
    return body


FHIR_DESTINATIONS = ResourceType(
    type_segments=("workspaces", "iotconnectors", "fhirdestinations"),
    name_parameters=("workspaceName", "iotConnectorName", "fhirDestinationName"),
    name_rule=HEALTHCARE_NAME,
    api_versions=versioned(
        PACKAGE,
        WORKSPACE_API_VERSIONS,
        ModelNames(request="IotFhirDestinationRequest", response="IotFhirDestinationResponse"),
    ),
    lifecycle=DICOM_SERVICES.lifecycle,  # its PATCH profiles go unused: no PATCH (405)
    prepare=_require_fhir_service,
    list_by_subscription=False,
    list_by_resource_group=False,
    list_by_parent=True,
)
