"""The ``opscopilot`` command line."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from store import Store

from .auth import Role, issue_key
from .bootstrap import build_store
from .settings import Settings

__all__ = ["app", "main"]

app = typer.Typer(help="OpsCopilot: multi-agent copilot for ML/LLM operations.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys of the embedded default.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
console = Console()

T = TypeVar("T")

DEMO_TENANT = "demo"
DEMO_USERS = [
    ("alice", [Role.user]),
    ("tom", [Role.triager, Role.user]),
    ("olga", [Role.operator]),
    ("omar", [Role.operator]),
    ("adam", [Role.admin]),
]


def _with_store(work: Callable[[Store], Awaitable[T]]) -> T:
    async def run() -> T:
        db = build_store(Settings())
        await db.open()
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(run())


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Interface to bind (default from settings: 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings: 8000).")] = None,
) -> None:
    """Start the service."""
    import uvicorn

    from .app import create_app

    settings = Settings()
    host = host or settings.host
    port = port or settings.port
    console.print(f"OpsCopilot on http://{host}:{port}  (store: {settings.store_backend}, docs: /docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@keys_app.command("create")
def keys_create(
    user: Annotated[str, typer.Option(help="User the key belongs to.")],
    tenant: Annotated[str, typer.Option(help="Tenant of the user.")],
    role: Annotated[list[Role], typer.Option(help="Role (repeatable): user, triager, operator, admin.")],
    name: Annotated[str, typer.Option(help="A label for the key.")] = "",
) -> None:
    """Create an API key; the key is the last word of the output."""

    async def create(db: Store) -> str:
        key, record = await issue_key(db, tenant, user, role, name)
        await db.audit.append(
            tenant, "cli", "key.create", record.prefix, {"user": user, "roles": [r.value for r in role]}
        )
        return key

    key = _with_store(create)
    typer.echo(f"Created key for {user}@{tenant} ({', '.join(r.value for r in role)}): {key}")


@keys_app.command("list")
def keys_list(tenant: Annotated[str, typer.Option(help="Tenant.")]) -> None:
    """List a tenant's keys (prefixes only)."""
    keys = _with_store(lambda db: db.api_keys.all(tenant))
    table = Table("id", "prefix", "user", "roles", "revoked")
    for k in keys:
        table.add_row(k.id[:12], k.prefix, k.user_id, ",".join(k.roles), str(k.revoked))
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str, tenant: Annotated[str, typer.Option(help="Tenant.")]) -> None:
    """Revoke a key by its id (see `keys list`)."""

    async def revoke(db: Store) -> None:
        for key in await db.api_keys.all(tenant):
            if key.id.startswith(key_id):
                key.revoked = True
                await db.api_keys.replace(key)
                await db.audit.append(tenant, "cli", "key.revoke", key.prefix)
                typer.echo(f"revoked {key.prefix}")
                return
        raise typer.BadParameter("no such key")

    _with_store(revoke)


@audit_app.command("verify")
def audit_verify(tenant: Annotated[str, typer.Option(help="Tenant whose chain to check.")]) -> None:
    """Check a tenant's hash chain; exit 1 and name the first broken link if it was tampered with."""
    report = _with_store(lambda db: db.audit.verify(tenant))
    if report.ok:
        typer.echo(f"audit chain of {tenant}: OK ({report.checked} events)")
        return
    typer.echo(f"audit chain of {tenant}: BROKEN at event {report.broken_seq}: {report.reason}")
    raise typer.Exit(1)


@app.command()
def demo() -> None:
    """Create the demo tenant's users and keys (once) and print a key per role."""
    settings = Settings()
    path = settings.data_dir / "demo-keys.json"

    async def seed(db: Store) -> dict[str, dict[str, str]]:
        keys: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
        for user, roles in DEMO_USERS:
            if user not in keys:
                key, _ = await issue_key(db, DEMO_TENANT, user, roles, "demo")
                keys[user] = {"key": key, "roles": ",".join(r.value for r in roles)}
        return keys

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    keys = _with_store(seed)
    path.write_text(json.dumps(keys, indent=2))
    os.chmod(path, 0o600)
    table = Table("user", "roles", "API key (tenant: demo)", title="Demo keys")
    for user, entry in keys.items():
        table.add_row(user, entry["roles"], entry["key"])
    console.print(table)


def main() -> None:
    app()
