"""Build the store and the token verifier that the settings ask for."""

from __future__ import annotations

from collections.abc import Callable

from agents import SKILLS, AgentRuntime, RunScope
from store import SqliteBackend, Store

from .entra import EntraVerifier
from .settings import Settings

__all__ = ["build_entra", "build_plugins", "build_runtime", "build_store"]


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


def build_entra(settings: Settings) -> EntraVerifier | None:
    return EntraVerifier(settings.entra) if settings.entra.enabled else None


def build_plugins(settings: Settings) -> Callable[[RunScope], list[object]]:
    """The tool plugins of one run, each over the backend the settings choose."""

    def plugins(scope: RunScope) -> list[object]:
        return []

    return plugins


def build_runtime(settings: Settings, db: Store) -> AgentRuntime:
    return AgentRuntime(
        db,
        plugins=build_plugins(settings),
        skills=SKILLS,
        instance_id=settings.instance_id or _instance_id(),
    )


def _instance_id() -> str:
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"
