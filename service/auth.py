"""Identity: who is calling, for which tenant, with which roles.

Two credentials arrive as ``Authorization: Bearer <credential>``: an API key (the embedded
default; stored as its SHA-256 only) or an Entra ID access token (production; see ``entra``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from enum import StrEnum

import store
from store import ApiKey, Store

from .entra import EntraVerifier, InvalidToken, looks_like_jwt
from .errors import Forbidden, Unauthorized

__all__ = ["Principal", "Role", "authenticate", "hash_key", "issue_key"]

KEY_PREFIX = "ocp_"


class Role(StrEnum):
    user = "user"  # chat, own conversations
    triager = "triager"  # log triage and categories
    operator = "operator"  # decide approvals
    admin = "admin"  # keys, audit, settings


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    user_id: str
    roles: frozenset[Role]
    method: str = "api_key"
    key_id: str | None = field(default=None, compare=False)

    def has(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    def require(self, *roles: Role) -> None:
        if not self.has(*roles):
            raise Forbidden(f"this action needs the role {' or '.join(roles)}")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def issue_key(
    db: Store, tenant_id: str, user_id: str, roles: list[Role], name: str = ""
) -> tuple[str, ApiKey]:
    """Create a key; the plain key is returned once and never stored."""
    if not roles:
        raise ValueError("a key needs at least one role")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    record = await db.api_keys.create(
        ApiKey(
            id=hash_key(key),
            tenant_id=tenant_id,
            user_id=user_id,
            roles=sorted({Role(r).value for r in roles}),
            name=name,
            prefix=key[:10],
        )
    )
    return key, record


async def authenticate(authorization: str | None, db: Store, entra: EntraVerifier | None) -> Principal:
    if not authorization:
        raise Unauthorized("missing credentials", headers={"WWW-Authenticate": "Bearer"})
    scheme, _, credential = authorization.partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise Unauthorized(
            "use 'Authorization: Bearer <API key or token>'", headers={"WWW-Authenticate": "Bearer"}
        )
    if entra is not None and looks_like_jwt(credential):
        try:
            claims = await entra.verify(credential)
        except InvalidToken as exc:
            raise Unauthorized(f"invalid token: {exc}", headers={"WWW-Authenticate": "Bearer"}) from exc
        return Principal(claims.tenant_id, claims.user_id, frozenset(Role(r) for r in claims.roles), "entra")
    if not credential.startswith(KEY_PREFIX) or len(credential) > 200:
        raise Unauthorized("invalid credentials", headers={"WWW-Authenticate": "Bearer"})
    try:
        key = await db.api_keys.get(store.SYSTEM_PARTITION, hash_key(credential))
    except store.NotFound:
        raise Unauthorized("invalid credentials", headers={"WWW-Authenticate": "Bearer"}) from None
    if key.revoked:
        raise Unauthorized("this key has been revoked", headers={"WWW-Authenticate": "Bearer"})
    return Principal(key.tenant_id, key.user_id, frozenset(Role(r) for r in key.roles), "api_key", key.id)
