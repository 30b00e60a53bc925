"""Who is calling: the bearer-token check and the caller recorded in systemData."""

from __future__ import annotations

import base64
import json
from typing import Any

from .errors import ArmError

_AUTH_CHALLENGE = (
    'Bearer authorization_uri="https://login.windows.net/{tenant}", error="invalid_token", '
    'error_description="{description}"'
)


def check_bearer(authorization: str | None, tenant_id: str) -> None:
    """For now any bearer token is accepted; only a missing or malformed header is refused."""
    if authorization is None:
        raise ArmError(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
            headers={
                "WWW-Authenticate": _AUTH_CHALLENGE.format(
                    tenant=tenant_id,
                    description="The authentication failed because of missing 'Authorization' header.",
                )
            },
            gateway=True,
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ArmError(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is provided in an invalid format.",
            headers={
                "WWW-Authenticate": _AUTH_CHALLENGE.format(
                    tenant=tenant_id,
                    description="The authentication failed because of invalid 'Authorization' header.",
                )
            },
            gateway=True,
        )


def _jwt_claims(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}


def caller(authorization: str | None) -> tuple[str, str]:
    """(createdBy, createdByType) for systemData, read from the token's claims when it is a JWT."""
    token = (authorization or "").partition(" ")[2].strip()
    claims = _jwt_claims(token)
    if claims.get("upn") or claims.get("unique_name"):
        return str(claims.get("upn") or claims.get("unique_name")), "User"
    if claims.get("appid") or claims.get("azp"):
        return str(claims.get("appid") or claims.get("azp")), "Application"
    return "00000000-0000-0000-0000-000000000000", "Application"
