"""Microsoft.HealthcareApis/workspaces/iotconnectors (the MedTech service): created, updated and deleted
like DICOM services (recorded: PUT 201 with Azure-AsyncOperation, the request's settings echoed)."""

from __future__ import annotations

from ...arm.identity import fill_managed_identity
from ...arm.resource_type import ModelNames, ResourceType, versioned
from .dicomservices import DICOM_SERVICES
from .versions import PACKAGE, WORKSPACE_API_VERSIONS
from .workspaces import HEALTHCARE_NAME

IOT_CONNECTORS = ResourceType(
    type_segments=("workspaces", "iotconnectors"),
    name_parameters=("workspaceName", "iotConnectorName"),
    name_rule=HEALTHCARE_NAME,
    api_versions=versioned(
        PACKAGE,
        WORKSPACE_API_VERSIONS,
        ModelNames(
            request="IotConnectorRequest", response="IotConnectorResponse", patch="IotConnectorPatchResourceRequest"
        ),
    ),
    lifecycle=DICOM_SERVICES.lifecycle,
    # Nothing else is computed: the recorded 201 echoes the request and adds the provisioning state.
    prepare=fill_managed_identity,
    list_by_subscription=False,
    list_by_resource_group=False,
    list_by_parent=True,
)
