"""The store the settings ask for (kept apart from the rest of the wiring so that CLI commands
that only need the store start fast)."""

from __future__ import annotations

from store import SqliteBackend, Store

from .settings import Settings

__all__ = ["build_store"]


def build_store(settings: Settings) -> Store:
    if settings.store_backend == "sqlite":
        return Store(SqliteBackend(settings.sqlite_path))
    from store._cosmos import CosmosBackend

    cosmos = settings.cosmos
    if not cosmos.endpoint:
        raise ValueError("OPSCOPILOT_COSMOS__ENDPOINT is required when OPSCOPILOT_STORE=cosmos")
    # No key: the backend builds a DefaultAzureCredential (Entra ID) and closes it itself.
    credential = cosmos.key.get_secret_value() if cosmos.key is not None else None
    return Store(
        CosmosBackend(
            cosmos.endpoint,
            credential,
            database=cosmos.database,
            create_containers=cosmos.create_containers,
            connection_verify=cosmos.verify_tls,
        )
    )
