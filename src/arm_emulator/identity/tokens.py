"""Issuing RS256 JWT access tokens (PyJWT) and checking them for the strict auth mode."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from .directory import AppRegistration
from .keys import SigningKey

# ARM tolerates this much clock skew on exp/nbf.
CLOCK_SKEW_SECONDS = 300


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    issued_at: int
    expires_on: int


class TokenProblem(Exception):
    """Why a token was refused: `kind` is `invalid`, `expired` or `audience`."""

    def __init__(self, kind: str, detail: str, claims: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.claims = claims or {}


class TokenService:
    def __init__(self, key: SigningKey, clock: Clock, lifetime_seconds: int) -> None:
        self.key = key
        self.clock = clock
        self.lifetime = lifetime_seconds

    def issue(self, app: AppRegistration, *, audience: str, issuer: str, version: str) -> IssuedToken:
        now = int(self.clock.now())
        claims = {
            "aud": audience,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "tid": app.tenant_id,
            "oid": app.object_id,
            "sub": app.object_id,
            "appid": app.client_id,
            "azp": app.client_id,
            "appidacr": "1",
            "idtyp": "app",
            "roles": [],
            "ver": version,
            "uti": secrets.token_urlsafe(16),
        }
        import jwt  # with cryptography, only once a token is issued or checked (see keys.py)

        token = jwt.encode(claims, self.key.private_key, algorithm="RS256", headers={"kid": self.key.kid})
        return IssuedToken(token, now, now + self.lifetime)

    def verify(self, token: str, audience_allowed: Callable[[str], bool]) -> dict[str, Any]:
        """The token's claims, if this emulator signed it, it is current, and its audience is ARM's."""
        import jwt

        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.key.public_key,
                algorithms=["RS256"],
                options={"verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.PyJWTError as error:
            raise TokenProblem("invalid", str(error)) from None
        now = self.clock.now()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, int | float) or exp + CLOCK_SKEW_SECONDS < now:
            raise TokenProblem("expired", "expired", claims)
        if isinstance(nbf, int | float) and nbf - CLOCK_SKEW_SECONDS > now:
            raise TokenProblem("invalid", "not valid yet", claims)
        audience = claims.get("aud")
        if not isinstance(audience, str) or not audience_allowed(audience):
            raise TokenProblem("audience", str(audience), claims)
        return claims
