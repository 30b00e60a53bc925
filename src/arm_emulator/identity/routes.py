"""Microsoft Entra ID endpoints on the emulator's own port: OpenID discovery, JWKS, token (v2, v1)."""

from __future__ import annotations

import base64
import hmac
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..arm.endpoints import endpoint
from ..arm.responses import base_url, json_response
from ..arm.runtime import Runtime, runtime_of
from .directory import AppRegistration, Tenant


class EntraError(Exception):
    """An error as Entra answers it: `{"error", "error_description": "AADSTS<n>: ...", ...}`."""

    def __init__(self, status: int, error: str, code: int, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.code, self.description = status, error, code, description

    def response(self, request: Request) -> Response:
        trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        timestamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        body = {
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.description} Trace ID: {trace_id} "
            f"Correlation ID: {correlation_id} Timestamp: {timestamp}",
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"{_base(request)}/error?code={self.code}",
        }
        return json_response(body, self.status)


def _base(request: Request) -> str:
    return base_url(request, runtime_of(request).settings.public_url)


def _tenant(runtime: Runtime, tenant_id: str) -> Tenant:
    tenant = runtime.directory.tenant(tenant_id)
    if tenant is None:
        raise EntraError(
            400,
            "invalid_tenant" if tenant_id else "invalid_request",
            90002,
            f"Tenant '{tenant_id}' not found. Check to make sure you have the correct tenant ID and are "
            "signing into the correct cloud.",
        )
    return tenant


def openid_configuration(request: Request, tenant_id: str, version: str) -> dict[str, Any]:
    base, tenant = _base(request), tenant_id
    v2 = "/v2.0" if version == "2.0" else ""
    return {
        "issuer": f"{base}/{tenant}{v2}" if v2 else f"{base}/{tenant}/",
        "authorization_endpoint": f"{base}/{tenant}/oauth2{v2}/authorize",
        "token_endpoint": f"{base}/{tenant}/oauth2{v2}/token",
        "device_authorization_endpoint": f"{base}/{tenant}/oauth2{v2}/devicecode",
        "jwks_uri": f"{base}/{tenant}/discovery{v2}/keys",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["aud", "iss", "iat", "nbf", "exp", "tid", "oid", "sub", "appid", "ver"],
        "tenant_region_scope": None,
        "cloud_instance_name": "arm-emulator",
    }


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str | None]:
    """client_secret_post, or client_secret_basic (HTTP Basic with the id and secret)."""
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:]).decode()
        except ValueError:
            raise EntraError(401, "invalid_client", 7000216, "The client credentials are malformed.") from None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    client_id = form.get("client_id")
    if not client_id:
        raise EntraError(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        )
    return client_id, form.get("client_secret")


def _authenticate(runtime: Runtime, request: Request, tenant: Tenant, form: dict[str, str]) -> AppRegistration:
    grant_type = form.get("grant_type", "")
    if grant_type != "client_credentials":
        raise EntraError(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant_type}'.",
        )
    client_id, secret = _client_credentials(request, form)
    app = runtime.directory.app(tenant.tenant_id, client_id)
    if app is None:
        raise EntraError(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory '{tenant.display_name}'. "
            "This can happen if the application has not been installed by the administrator of the tenant.",
        )
    if app.client_secret is None:
        if secret:
            raise EntraError(
                401,
                "invalid_client",
                700025,
                "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
            )
        raise EntraError(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    if not secret:
        raise EntraError(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    if not hmac.compare_digest(secret.encode(), app.client_secret.encode()):
        raise EntraError(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
            f"value, not the client secret ID, for a secret added to app '{app.client_id}'.",
        )
    return app


def _audience_of_scope(scope: str | None) -> str:
    """`https://host:port/.default` → `https://host:port`; az's `https://host:port//.default` → `.../`."""
    if not scope:
        raise EntraError(
            400,
            "invalid_request",
            90014,
            "The required field 'scope' is missing from the credential. Ensure that you have all the necessary "
            "parameters for the login request.",
        )
    for item in scope.split():
        if item.endswith("/.default"):
            return item[: -len("/.default")]
    raise EntraError(
        400,
        "invalid_scope",
        1002012,
        f"The provided value for scope {scope} is not valid. Client credential flows must have a scope value "
        "with /.default suffixed to the resource identifier (application ID URI).",
    )


def _resource_of_form(form: dict[str, str]) -> str:
    resource = form.get("resource")
    if not resource:
        raise EntraError(
            400, "invalid_request", 900144, "The request body must contain the following parameter: 'resource'."
        )
    return resource


async def _grant(
    request: Request, params: dict[str, str], audience_of: Callable[[dict[str, str]], str]
) -> tuple[Tenant, AppRegistration, str]:
    """The client-credentials grant both token endpoints share: tenant, app, then the audience."""
    runtime = runtime_of(request)
    form = await _form(request)
    tenant = _tenant(runtime, params["tenant"])
    app = _authenticate(runtime, request, tenant, form)
    return tenant, app, audience_of(form)


async def _form(request: Request) -> dict[str, str]:
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))


def register(router: APIRouter) -> None:
    async def openid_v2(request: Request, params: dict[str, str]) -> Response:
        try:
            tenant = _tenant(runtime_of(request), params["tenant"])
        except EntraError as error:
            return error.response(request)
        return json_response(openid_configuration(request, tenant.tenant_id, "2.0"))

    async def openid_v1(request: Request, params: dict[str, str]) -> Response:
        try:
            tenant = _tenant(runtime_of(request), params["tenant"])
        except EntraError as error:
            return error.response(request)
        return json_response(openid_configuration(request, tenant.tenant_id, "1.0"))

    async def keys(request: Request, params: dict[str, str]) -> Response:
        return json_response(runtime_of(request).tokens.key.jwks())

    async def token_v2(request: Request, params: dict[str, str]) -> Response:
        try:
            tenant, app, audience = await _grant(request, params, lambda form: _audience_of_scope(form.get("scope")))
        except EntraError as error:
            return error.response(request)
        issued = runtime_of(request).tokens.issue(
            app, audience=audience, issuer=f"{_base(request)}/{tenant.tenant_id}/v2.0", version="2.0"
        )
        lifetime = issued.expires_on - issued.issued_at
        return json_response(
            {
                "token_type": "Bearer",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": issued.access_token,
            }
        )

    async def token_v1(request: Request, params: dict[str, str]) -> Response:
        try:
            tenant, app, resource = await _grant(request, params, _resource_of_form)
        except EntraError as error:
            return error.response(request)
        issued = runtime_of(request).tokens.issue(
            app, audience=resource, issuer=f"{_base(request)}/{tenant.tenant_id}/", version="1.0"
        )
        lifetime = issued.expires_on - issued.issued_at
        # The v1 endpoint answers its numbers as strings.
        return json_response(
            {
                "token_type": "Bearer",
                "expires_in": str(lifetime),
                "ext_expires_in": str(lifetime),
                "expires_on": str(issued.expires_on),
                "not_before": str(issued.issued_at),
                "resource": resource,
                "access_token": issued.access_token,
            }
        )

    routes = [
        ("GET", "/{tenant}/v2.0/.well-known/openid-configuration", openid_v2, "OpenIdConfigurationV2"),
        ("GET", "/{tenant}/.well-known/openid-configuration", openid_v1, "OpenIdConfiguration"),
        ("GET", "/{tenant}/discovery/v2.0/keys", keys, "KeysV2"),
        ("GET", "/{tenant}/discovery/keys", keys, "Keys"),
        ("POST", "/{tenant}/oauth2/v2.0/token", token_v2, "TokenV2"),
        ("POST", "/{tenant}/oauth2/token", token_v1, "Token"),
    ]
    for method, path, handler, name in routes:
        router.add_api_route(
            path,
            endpoint(handler),
            methods=[method],
            operation_id=f"Entra_{name}",
            tags=["Microsoft Entra ID (emulated)"],
            response_class=Response,
        )
