"""Microsoft.DeviceUpdate: accounts (a ProviderHub resource provider), at every published api-version."""

from __future__ import annotations

import secrets

from ...arm.resource_type import OperationStatusEndpoint, Provider
from . import models_2023_07_01 as v2023_07_01
from .accounts import ACCOUNTS


def _operation_id(request_id: str) -> str:
    # ProviderHub: the request id of the call that started it, '*', 64 upper-case hex digits.
    return f"{request_id}*{secrets.token_hex(32).upper()}"


PROVIDER = Provider(
    namespace="Microsoft.DeviceUpdate",
    resource_types=(ACCOUNTS,),
    operation_status=OperationStatusEndpoint(
        path="/providers/Microsoft.DeviceUpdate/locations/{location}/operationStatuses/{operationId}",
        body_model=v2023_07_01.OperationStatusResultResponse,
        new_operation_id=_operation_id,
        location_case=str.upper,
        # The same URL serves as Location; while running it answers 202 (recorded traffic).
        in_progress_status_code=202,
    ),
    error_envelope=v2023_07_01.ErrorResponseResponse,
    locations=(
        "australiaeast",
        "eastus",
        "eastus2",
        "japaneast",
        "northeurope",
        "southcentralus",
        "southeastasia",
        "swedencentral",
        "uksouth",
        "westcentralus",
        "westeurope",
        "westus2",
    ),
)
