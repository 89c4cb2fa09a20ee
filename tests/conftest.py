"""Shared fixtures: loopback-only network, a temp data dir per test, and the store on each backend."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from store import DocumentBackend, SqliteBackend, Store
from tests.support.api import Api, make_api
from tests.support.network import loopback_only

BACKENDS = ["sqlite", "cosmos"]


@pytest.fixture(autouse=True, scope="session")
def _no_remote_network() -> Iterator[None]:
    with loopback_only():
        yield


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own embedded data dir, and no OPSCOPILOT_* setting leaks in."""
    import os

    for name in list(os.environ):
        if name.startswith("OPSCOPILOT_"):
            monkeypatch.delenv(name)
    path = tmp_path / "var"
    monkeypatch.setenv("OPSCOPILOT_DATA_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def cosmos_server() -> Iterator[object]:
    from tests.support.cosmos_server import CosmosServer

    server = CosmosServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def make_backend(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> DocumentBackend:
    if name == "sqlite":
        return SqliteBackend(tmp_path / "store.db")
    from store._cosmos import CosmosBackend

    server = request.getfixturevalue("cosmos_server")
    return CosmosBackend(
        server.endpoint,
        server.key,
        database=f"test{uuid.uuid4().hex[:12]}",
        connection_verify=False,
    )


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """The same Store on every backend: contract tests run unchanged against each."""
    if request.param == "cosmos":
        request.applymarker(pytest.mark.slow)
    s = Store(make_backend(request.param, request, tmp_path))
    await s.open()
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    """The app in-process (httpx.ASGITransport) on a fresh SQLite store, with a key for every role
    in the tenants ``contoso`` and ``fabrikam``."""
    async for a in make_api(tmp_path):
        yield a
