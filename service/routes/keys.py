from __future__ import annotations

from fastapi import APIRouter, Response

from store import NotFound

from ..auth import Role, issue_key
from ..deps import AdminDep, StoreDep
from ..errors import BadRequest, NotFoundError
from ..schemas import ApiKeyOut, KeyCreate, KeyCreated, PageOut

router = APIRouter(prefix="/v1/keys", tags=["keys"])


@router.post("", status_code=201, response_model=KeyCreated)
async def create_key(body: KeyCreate, db: StoreDep, who: AdminDep) -> object:
    """Create an API key for a user of the admin's own tenant."""
    try:
        roles = [Role(r) for r in body.roles]
    except ValueError:
        raise BadRequest(f"roles must be among {', '.join(r.value for r in Role)}") from None
    key, record = await issue_key(db, who.tenant_id, body.user, roles, body.name)
    await db.audit.append(
        who.tenant_id, who.user_id, "key.create", record.prefix, {"user": body.user, "roles": body.roles}
    )
    return KeyCreated(key=key, **record.model_dump())


@router.get("", response_model=PageOut[ApiKeyOut])
async def list_keys(db: StoreDep, who: AdminDep) -> object:
    keys = await db.api_keys.all(who.tenant_id)
    return PageOut(items=[ApiKeyOut(**k.model_dump()) for k in keys], continuation=None)


@router.delete("/{key_id}", status_code=204)
async def revoke_key(key_id: str, db: StoreDep, who: AdminDep) -> Response:
    try:
        key = await db.api_keys.get(who.tenant_id, key_id)
    except NotFound:
        raise NotFoundError("key not found") from None
    if key.tenant_id != who.tenant_id:
        raise NotFoundError("key not found")
    key.revoked = True
    await db.api_keys.replace(key)
    await db.audit.append(who.tenant_id, who.user_id, "key.revoke", key.prefix)
    return Response(status_code=204)
