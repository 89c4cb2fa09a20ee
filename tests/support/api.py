"""The app in-process over httpx.ASGITransport, with keys for every role in two tenants."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import FastAPI

from service.app import create_app
from service.auth import Role, issue_key
from service.settings import Settings
from store import SqliteBackend, Store


@dataclass
class Api:
    app: FastAPI
    client: httpx.AsyncClient
    store: Store
    keys: dict[str, str] = field(default_factory=dict)  # "tenant:role" -> key

    def auth(self, role: str, tenant: str = "contoso") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[f'{tenant}:{role}']}"}

    async def key(self, tenant: str, user: str, *roles: Role) -> dict[str, str]:
        key, _ = await issue_key(self.store, tenant, user, list(roles))
        return {"Authorization": f"Bearer {key}"}


async def make_api(tmp_path: Path, **settings: object) -> AsyncIterator[Api]:
    db = Store(SqliteBackend(tmp_path / "api.db"))
    app = create_app(Settings(data_dir=tmp_path, **settings), store=db)  # type: ignore[arg-type]
    await db.open()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30) as client:
        api = Api(app, client, db)
        for tenant in ("contoso", "fabrikam"):
            for role in Role:
                api.keys[f"{tenant}:{role.value}"], _ = await issue_key(
                    db, tenant, f"{role.value}-{tenant}", [role]
                )
        yield api
    await _stop_background_work(app)
    await db.close()


async def _stop_background_work(app: FastAPI) -> None:
    """Cancel and await what routes started in the background (and the embedded endpoints' scoring
    tasks) before the store closes."""
    import asyncio
    import contextlib

    scorer = getattr(getattr(app.state, "ops", None), "scorer", None)
    tasks = [*getattr(app.state, "tasks", ()), *(scorer.tasks if scorer is not None else ())]
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(BaseException):
            await task
    await asyncio.sleep(0)
