"""Who is calling: the bearer-token check (per auth mode) and the caller recorded in systemData."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ..identity.tokens import TokenProblem, TokenService
from .errors import ArmError

# The audiences real ARM accepts; the emulator's own URLs are accepted besides these.
PUBLIC_ARM_AUDIENCES = (
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class Authenticator:
    """`off`: no header needed; `lenient`: any bearer token; `strict`: a current token this emulator
    signed, for one of ARM's audiences. Failures answer 401 with ARM's codes and a challenge
    pointing at the emulator's own tenant."""

    def __init__(
        self, mode: str, tokens: TokenService, tenant_id: str, public_url: str | None, hostnames: list[str]
    ) -> None:
        self.mode = mode
        self.tokens = tokens
        self.tenant_id = tenant_id
        self.hosts = {*LOCAL_HOSTS, *hostnames}
        if public_url:
            self.hosts.add(urlsplit(public_url).hostname or "")

    def check(self, authorization: str | None, base: str) -> None:
        if self.mode == "off":
            return
        if authorization is None:
            raise self._failure(
                base,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
                "The authentication failed because of missing 'Authorization' header.",
            )
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise self._failure(
                base,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is provided in an invalid format.",
                "The authentication failed because of invalid 'Authorization' header.",
            )
        if self.mode == "strict":
            self._verify(token.strip(), base)

    def _verify(self, token: str, base: str) -> None:
        own_hosts = self.hosts | {_hostname(base)}

        def allowed(audience: str) -> bool:
            if audience in PUBLIC_ARM_AUDIENCES:
                return True
            try:
                url = urlsplit(audience)
                return url.scheme in ("https", "http") and url.hostname in own_hosts and url.path in ("", "/")
            except ValueError:  # e.g. "https://[oops": no audience of ours
                return False

        try:
            self.tokens.verify(token, allowed)
        except TokenProblem as problem:
            if problem.kind == "expired":
                expiry = _utc(problem.claims.get("exp"))
                now = _utc(self.tokens.clock.now())
                raise self._failure(
                    base,
                    "ExpiredAuthenticationToken",
                    f"The access token expiry UTC time '{expiry}' is earlier than current UTC time '{now}'.",
                    "The access token has expired.",
                ) from None
            if problem.kind == "audience":
                accepted = ",".join(f"'{a}'" for a in (f"{base}/", base, *PUBLIC_ARM_AUDIENCES))
                raise self._failure(
                    base,
                    "InvalidAuthenticationTokenAudience",
                    f"The access token has been obtained for wrong audience or resource '{problem.detail}'. "
                    f"It should exactly match with one of the allowed audiences {accepted}.",
                    "The access token has been obtained for wrong audience.",
                ) from None
            raise self._failure(
                base,
                "InvalidAuthenticationToken",
                "The access token is invalid.",
                "The access token is invalid.",
            ) from None

    def _failure(self, base: str, code: str, message: str, description: str) -> ArmError:
        challenge = (
            f'Bearer authorization_uri="{base}/{self.tenant_id}", error="invalid_token", '
            f'error_description="{description}"'
        )
        return ArmError(401, code, message, headers={"WWW-Authenticate": challenge}, gateway=True)


def _utc(epoch: Any) -> str:
    if not isinstance(epoch, int | float):
        return "unknown"
    return datetime.fromtimestamp(epoch, UTC).strftime("%m/%d/%Y %H:%M:%S")


def jwt_claims(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (ValueError, RecursionError):  # not JSON, or nested past Python's limit: no claims
        return {}
    return claims if isinstance(claims, dict) else {}


def caller(authorization: str | None) -> tuple[str, str]:
    """(createdBy, createdByType) for systemData, read from the token's claims when it is a JWT."""
    token = (authorization or "").partition(" ")[2].strip()
    claims = jwt_claims(token)
    if claims.get("upn") or claims.get("unique_name"):
        return str(claims.get("upn") or claims.get("unique_name")), "User"
    if claims.get("appid") or claims.get("azp"):
        return str(claims.get("appid") or claims.get("azp")), "Application"
    return "00000000-0000-0000-0000-000000000000", "Application"


def _hostname(url: str) -> str:
    """The host of a URL built from the request's Host header, which may be malformed ("[oops"):
    then it names no host of ours."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""
