"""Build the store and the token verifier that the settings ask for."""

from __future__ import annotations

from store import SqliteBackend, Store

from .entra import EntraVerifier
from .settings import Settings

__all__ = ["build_entra", "build_store"]


def build_store(settings: Settings) -> Store:
    if settings.store_backend == "sqlite":
        return Store(SqliteBackend(settings.sqlite_path))
    from store._cosmos import CosmosBackend

    cosmos = settings.cosmos
    if not cosmos.endpoint:
        raise ValueError("OPSCOPILOT_COSMOS__ENDPOINT is required when OPSCOPILOT_STORE=cosmos")
    if cosmos.key is not None:
        credential: object = cosmos.key.get_secret_value()
    else:
        from azure.identity.aio import DefaultAzureCredential

        credential = DefaultAzureCredential()
    return Store(
        CosmosBackend(
            cosmos.endpoint,
            credential,  # type: ignore[arg-type]
            database=cosmos.database,
            create_containers=cosmos.create_containers,
            connection_verify=cosmos.verify_tls,
        )
    )


def build_entra(settings: Settings) -> EntraVerifier | None:
    return EntraVerifier(settings.entra) if settings.entra.enabled else None
