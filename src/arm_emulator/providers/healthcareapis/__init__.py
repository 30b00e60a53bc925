"""Microsoft.HealthcareApis: workspaces with their DICOM and FHIR services, IoT connectors and FHIR
destinations, the legacy services (Azure API for FHIR), the private endpoint connections and private link
resources of both, checkNameAvailability and the operations list, at every published api-version."""

from __future__ import annotations

import json
from pathlib import Path

from ...arm.resource_type import Action, OperationStatusEndpoint, Provider
from . import models_2022_06_01 as v2022_06_01
from .check_name_availability import check_name_availability
from .dicomservices import DICOM_SERVICES
from .fhirdestinations import FHIR_DESTINATIONS
from .fhirservices import FHIR_SERVICES
from .ids import new_operation_id
from .iotconnectors import IOT_CONNECTORS
from .private_endpoint_connections import SERVICE_PRIVATE_ENDPOINT_CONNECTIONS, WORKSPACE_PRIVATE_ENDPOINT_CONNECTIONS
from .private_link_resources import SERVICE_PRIVATE_LINK_RESOURCES, WORKSPACE_PRIVATE_LINK_RESOURCES
from .services import SERVICES
from .workspaces import WORKSPACES

# The real provider's operations list (the newest version's example), as it answers it.
OPERATIONS = tuple(json.loads((Path(__file__).parent / "operations.json").read_text())["value"])

PROVIDER = Provider(
    namespace="Microsoft.HealthcareApis",
    resource_types=(
        WORKSPACES,
        DICOM_SERVICES,
        FHIR_SERVICES,
        IOT_CONNECTORS,
        FHIR_DESTINATIONS,
        WORKSPACE_PRIVATE_ENDPOINT_CONNECTIONS,
        WORKSPACE_PRIVATE_LINK_RESOURCES,
        SERVICES,
        SERVICE_PRIVATE_ENDPOINT_CONNECTIONS,
        SERVICE_PRIVATE_LINK_RESOURCES,
    ),
    operation_status=OperationStatusEndpoint(
        path="/subscriptions/{subscriptionId}/providers/Microsoft.HealthcareApis/locations/{location}"
        "/operationresults/{operationId}",
        # The operation-result and error schemas are the same in every version.
        body_model=v2022_06_01.OperationResultsDescriptionResponse,
        new_operation_id=new_operation_id,
        # The DELETE `Location` header is the same URL with this query (recorded traffic).
        location_query="operationResultResponseType=Location",
    ),
    error_envelope=v2022_06_01.ErrorDetailsResponse,
    locations=(
        "australiaeast",
        "canadacentral",
        "centralindia",
        "eastus",
        "eastus2",
        "francecentral",
        "germanywestcentral",
        "japaneast",
        "koreacentral",
        "northcentralus",
        "northeurope",
        "qatarcentral",
        "southcentralus",
        "southeastasia",
        "swedencentral",
        "switzerlandnorth",
        "uksouth",
        "westcentralus",
        "westeurope",
        "westus2",
        "westus3",
    ),
    actions=(Action("checkNameAvailability", check_name_availability),),
    operations=OPERATIONS,
)
