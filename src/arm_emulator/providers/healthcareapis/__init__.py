"""Microsoft.HealthcareApis: workspaces and their DICOM services, at every published api-version."""

from __future__ import annotations

from ...arm.resource_type import OperationStatusEndpoint, Provider
from . import models_2022_06_01 as v2022_06_01
from .dicomservices import DICOM_SERVICES
from .ids import new_operation_id
from .workspaces import WORKSPACES

PROVIDER = Provider(
    namespace="Microsoft.HealthcareApis",
    resource_types=(WORKSPACES, DICOM_SERVICES),
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
)
