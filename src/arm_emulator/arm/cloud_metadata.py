"""`/metadata/endpoints`: the cloud description az CLI and Terraform read to find every endpoint.

Every endpoint points back at the emulator; `identityProvider: AAD` with `tenant: common` keeps
go-azure-sdk (Terraform) out of its Azure Stack mode.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from . import errors
from .api_versions import api_version_of
from .endpoints import endpoint
from .responses import base_url, json_response
from .runtime import runtime_of

CLOUD_NAME = "ArmEmulator"
# DNS suffixes of data-plane services: not endpoints of ARM, so the public cloud's values stay.
SUFFIXES = {
    "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
    "acrLoginServer": "azurecr.io",
    "sqlServerHostname": "database.windows.net",
    "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
    "keyVaultDns": "vault.azure.net",
    "storage": "core.windows.net",
    "azureFrontDoorEndpointSuffix": "azurefd.net",
    "storageSyncEndpointSuffix": "afs.azure.net",
    "mhsmDns": "managedhsm.azure.net",
    "mysqlServerEndpoint": "mysql.database.azure.com",
    "postgresqlServerEndpoint": "postgres.database.azure.com",
    "mariadbServerEndpoint": "mariadb.database.azure.com",
    "synapseAnalytics": "dev.azuresynapse.net",
    "attestationEndpoint": "attest.azure.net",
}


def cloud(base: str) -> dict[str, Any]:
    """The 2022-09-01 single-cloud object."""
    own = f"{base}/"
    return {
        "portal": own,
        "authentication": {
            "loginEndpoint": base,
            # audiences[0] is the resource az asks tokens for (scope `<it>/.default`).
            "audiences": [own, base],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "media": own,
        "graphAudience": f"{base}/graph/",
        "graph": f"{base}/graph/",
        "name": CLOUD_NAME,
        "suffixes": SUFFIXES,
        "batch": own,
        "resourceManager": own,
        "vmImageAliasDoc": f"{base}/_emulator/vm-image-aliases.json",
        "activeDirectoryDataLake": own,
        "sqlManagement": own,
        "microsoftGraphResourceId": f"{base}/graph/",
        "appInsightsResourceId": base,
        "appInsightsTelemetryChannelResourceId": base,
        "attestationResourceId": base,
        "synapseAnalyticsResourceId": base,
        "logAnalyticsResourceId": base,
        "ossrDbmsResourceId": base,
    }


def azure_stack(base: str, *, extended: bool) -> dict[str, Any]:
    """The `1.0` / `2015-01-01` shape (and `2018-01-01`, which adds a few fields)."""
    body: dict[str, Any] = {
        "galleryEndpoint": f"{base}/",
        "graphEndpoint": f"{base}/graph/",
        "portalEndpoint": f"{base}/",
        "authentication": {"loginEndpoint": f"{base}/", "audiences": [f"{base}/"]},
    }
    if extended:
        body.update(
            graphAudience=f"{base}/graph/",
            tenant="common",
            identityProvider="AAD",
            cloudEndpoint={"resourceManager": f"{base}/"},
        )
    return body


async def metadata_endpoints(request: Request, params: dict[str, str]) -> Response:
    version = api_version_of(request)
    if not version:
        raise errors.missing_api_version()
    base = base_url(request, runtime_of(request).settings.public_url)
    if version in ("1.0", "2015-01-01"):
        return json_response(azure_stack(base, extended=False))
    if version < "2019-05-01":
        return json_response(azure_stack(base, extended=True))
    if version < "2022-09-01":
        return json_response([cloud(base)])  # azure-cli's ARM_CLOUD_METADATA_URL expects a list
    return json_response(cloud(base))


def register(router: APIRouter) -> None:
    router.add_api_route(
        "/metadata/endpoints",
        endpoint(metadata_endpoints),
        methods=["GET"],
        operation_id="Metadata_Endpoints",
        tags=["cloud discovery"],
        response_class=Response,
    )
