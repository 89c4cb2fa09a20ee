"""Entra ID access tokens: signature against the tenant's JWKS, issuer, audience, expiry, and the
token's app roles mapped onto our roles."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import jwt

from .settings import EntraSettings

__all__ = ["EntraClaims", "EntraVerifier", "InvalidToken", "looks_like_jwt"]


class InvalidToken(Exception):
    pass


def looks_like_jwt(credential: str) -> bool:
    return credential.count(".") == 2 and credential.startswith("ey")


@dataclass(frozen=True)
class EntraClaims:
    tenant_id: str
    user_id: str
    roles: list[str]


class EntraVerifier:
    def __init__(self, settings: EntraSettings, jwks_client: jwt.PyJWKClient | None = None) -> None:
        self.settings = settings
        self.issuer = settings.resolved_issuer()
        self.jwks = jwks_client or jwt.PyJWKClient(
            settings.resolved_jwks_url(), cache_keys=True, lifespan=3600
        )

    def _verify(self, token: str) -> dict[str, Any]:
        try:
            key = self.jwks.get_signing_key_from_jwt(token)
            return jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.settings.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", "tid"]},
                leeway=60,
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidToken(str(exc)) from exc

    async def verify(self, token: str) -> EntraClaims:
        claims = await asyncio.to_thread(self._verify, token)
        roles = sorted(
            {self.settings.role_map[r] for r in claims.get("roles", []) if r in self.settings.role_map}
        )
        if not roles:
            raise InvalidToken("the token carries no OpsCopilot app role")
        tid = str(claims["tid"])
        user = str(claims.get("oid") or claims.get("sub") or "")
        if not user:
            raise InvalidToken("the token names no user (oid/sub)")
        return EntraClaims(self.settings.tenant_map.get(tid, tid), user, roles)
