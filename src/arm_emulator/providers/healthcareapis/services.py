"""Microsoft.HealthcareApis/services, the legacy Azure API for FHIR: a top-level tracked resource with its
own codes (swagger: PUT 200/201, PATCH 200, DELETE 202/204). Recorded (2021-11-01): PUT 201 `Creating`
with Azure-AsyncOperation only, tags-only PATCH 200 at once, DELETE 202 with both polling headers."""

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
from .dicomservices import DEFAULT_CORS
from .versions import PACKAGE, SERVICE_API_VERSIONS
from .workspaces import HEALTHCARE_NAME

# Recorded when the request set no throughput.
DEFAULT_OFFER_THROUGHPUT = 1000


def _service_defaults(ctx: ResourceContext, body: Body) -> Body:
    name = ctx.resource_id.name.lower()
    properties = body.setdefault("properties", {})
    # As recorded (2021-11-01) for a request with empty properties.
    properties.setdefault("accessPolicies", [])
    properties.setdefault("cosmosDbConfiguration", {}).setdefault("offerThroughput", DEFAULT_OFFER_THROUGHPUT)
    authentication = properties.setdefault("authenticationConfiguration", {})
    authentication.setdefault("authority", f"https://login.microsoftonline.com/{ctx.tenant_id}")
    authentication.setdefault("audience", f"https://{name}.azurehealthcareapis.com")
    authentication.setdefault("smartProxyEnabled", False)
    properties.setdefault("corsConfiguration", json_copy(DEFAULT_CORS))
    properties.setdefault("exportConfiguration", {})
    properties.setdefault("acrConfiguration", {}).setdefault("loginServers", [])  # from 2021-01-11
    properties.setdefault("publicNetworkAccess", "Enabled")  # from 2020-03-30; writable
    properties["privateEndpointConnections"] = []  # never the request's: the engine lists the stored connections
    return fill_managed_identity(ctx, body)


_UPDATING = (LroStep("Updating", "Running"),)
_AT_ONCE = LroProfile(status_code=200)

SERVICES = ResourceType(
    type_segments=("services",),
    name_parameters=("resourceName",),
    # The swagger's read-only name pattern, as for workspaces (services' names are also DNS names).
    name_rule=HEALTHCARE_NAME,
    api_versions=versioned(
        PACKAGE,
        SERVICE_API_VERSIONS,
        ModelNames(
            request="ServicesDescriptionRequest",
            response="ServicesDescriptionResponse",
            patch="ServicesPatchDescription",
        ),
    ),
    lifecycle=Lifecycle(
        create=LroProfile(status_code=201, steps=(LroStep("Creating", "Running"),)),
        # 200 is the swagger's only code for a PUT of an existing service ("the operation will complete
        # asynchronously"): a change walks `Updating` under an Azure-AsyncOperation.
        replace=LroProfile(status_code=200, steps=_UPDATING),
        unchanged=_AT_ONCE,
        # PATCH answers 200 only: tags at once (recorded), publicNetworkAccess as an LRO.
        patch=LroProfile(status_code=200, steps=_UPDATING),
        patch_tags_only=_AT_ONCE,
        delete=LroProfile(
            status_code=202,
            steps=(LroStep("Deleting", "Running"),),
            location_header=True,
        ),
    ),
    prepare=_service_defaults,
)
