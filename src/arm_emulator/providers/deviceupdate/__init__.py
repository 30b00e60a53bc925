"""Microsoft.DeviceUpdate (a ProviderHub resource provider), at every published api-version: accounts, their
instances, private endpoint connections, private link resources and connection proxies,
`checknameavailability` and the provider's operations list."""

from __future__ import annotations

import secrets

from ...arm.resource_type import OperationStatusEndpoint, Provider
from . import models_2023_07_01 as v2023_07_01
from .accounts import ACCOUNTS
from .check_name_availability import CHECK_NAME_AVAILABILITY
from .instances import INSTANCES
from .operations import OPERATIONS
from .private_endpoint_connection_proxies import PRIVATE_ENDPOINT_CONNECTION_PROXIES
from .private_endpoint_connections import PRIVATE_ENDPOINT_CONNECTIONS
from .private_link_resources import PRIVATE_LINK_RESOURCES


def _operation_id(request_id: str) -> str:
    # ProviderHub: the request id of the call that started it, '*', 64 upper-case hex digits.
    return f"{request_id}*{secrets.token_hex(32).upper()}"


PROVIDER = Provider(
    namespace="Microsoft.DeviceUpdate",
    resource_types=(
        ACCOUNTS,
        INSTANCES,
        PRIVATE_ENDPOINT_CONNECTIONS,
        PRIVATE_LINK_RESOURCES,
        PRIVATE_ENDPOINT_CONNECTION_PROXIES,
    ),
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
    actions=(CHECK_NAME_AVAILABILITY,),
    operations=OPERATIONS,
)
