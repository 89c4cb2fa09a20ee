"""What only the Cosmos DB backend does: containers and indexes, the order-by fallback, retries.

The contract suite (``test_contract.py``) covers the shared semantics. Here, provisioning and
querying run against cosmosdb-server; throttling runs against a scripted fake gateway on loopback,
because the emulator never throttles.
"""

from __future__ import annotations

import gc
import socket
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from azure.cosmos import PartitionKey
from azure.cosmos.aio import CosmosClient

from store import Cond, Order, StoreUnavailable
from store._cosmos import CosmosBackend, _retry_after
from tests.support.cosmos_server import CosmosServer
from tests.support.loopback import serve_app

# -- against cosmosdb-server ------------------------------------------------------------------------


@pytest.fixture
async def backend(cosmos_server: CosmosServer) -> AsyncIterator[CosmosBackend]:
    b = CosmosBackend(
        cosmos_server.endpoint, cosmos_server.key, f"t{uuid.uuid4().hex[:12]}", connection_verify=False
    )
    await b.open()
    try:
        yield b
    finally:
        await b.close()


@pytest.fixture
async def raw(cosmos_server: CosmosServer) -> AsyncIterator[CosmosClient]:
    async with CosmosClient(cosmos_server.endpoint, cosmos_server.key, connection_verify=False) as client:
        yield client


@pytest.mark.slow
async def test_open_creates_one_container_per_kind(cosmos_server: CosmosServer, raw: CosmosClient) -> None:
    name = f"t{uuid.uuid4().hex[:12]}"
    b = CosmosBackend(
        cosmos_server.endpoint, cosmos_server.key, name, container_prefix="oc_", connection_verify=False
    )
    await b.open()
    try:
        await b.create("widgets", {"id": "w1", "pk": "contoso"})  # an unknown kind: created on first use
    finally:
        await b.close()
    containers = {c["id"]: c async for c in raw.get_database_client(name).list_containers()}
    assert {"oc_conversations", "oc_messages", "oc_api_keys", "oc_audit", "oc_jobs", "oc_widgets"} <= set(
        containers
    )
    conversations = containers["oc_conversations"]
    assert conversations["partitionKey"]["paths"] == ["/pk"]
    composite = conversations["indexingPolicy"]["compositeIndexes"]
    assert [{"path": "/created_at", "order": "descending"}, {"path": "/id", "order": "descending"}] in [
        [{"path": i["path"], "order": i["order"]} for i in index] for index in composite
    ]


@pytest.mark.slow
async def test_missing_database_is_unavailable_without_create(cosmos_server: CosmosServer) -> None:
    b = CosmosBackend(
        cosmos_server.endpoint,
        cosmos_server.key,
        "never-created",
        create_containers=False,
        connection_verify=False,
    )
    with pytest.raises(StoreUnavailable):
        await b.open()


@pytest.mark.slow
async def test_system_fields_are_stripped_and_etag_kept(backend: CosmosBackend) -> None:
    created = await backend.create(
        "conversations", {"id": "c1", "pk": "contoso", "title": "x", "_etag": "ignored"}
    )
    read = await backend.read("conversations", "contoso", "c1")
    for doc in (created, read):
        assert not {"_rid", "_self", "_ts", "_attachments"} & set(doc)
        assert doc["_etag"] and doc["_etag"] != "ignored"
    assert read == created


@pytest.mark.slow
async def test_pk_none_queries_every_partition(backend: CosmosBackend) -> None:
    for tenant in ("contoso", "fabrikam"):
        await backend.create(
            "jobs", {"id": f"j-{tenant}", "pk": tenant, "state": "queued", "created_at": "1"}
        )
    docs = await backend.query("jobs", None, [Cond("state", "in", ["queued"])], Order(), 10)
    assert sorted(d["pk"] for d in docs) == ["contoso", "fabrikam"]


async def _pages(b: CosmosBackend, kind: str, field: str, descending: bool, limit: int) -> list[str]:
    seen: list[str] = []
    order = Order(field, descending)
    while True:
        docs = await b.query(kind, "contoso", [], order, limit)
        seen += [d["id"] for d in docs]
        if len(docs) < limit:
            return seen
        order = Order(field, descending, (docs[-1][field], docs[-1]["id"]))


def _ranked() -> list[dict[str, Any]]:
    # Many equal ranks, inserted out of id order, so ties straddle page ends.
    return [{"id": f"w{i:02d}", "pk": "contoso", "rank": i % 3} for i in (7, 2, 9, 0, 4, 1, 8, 5, 3, 6, 10)]


@pytest.mark.slow
@pytest.mark.parametrize("descending", [False, True])
async def test_order_by_a_field_without_composite_index(backend: CosmosBackend, descending: bool) -> None:
    docs = _ranked()
    for doc in docs:
        await backend.create("widgets", doc)
    expected = [d["id"] for d in sorted(docs, key=lambda d: (d["rank"], d["id"]), reverse=descending)]
    for limit in (1, 2, 3, 4, 20):
        assert await _pages(backend, "widgets", "rank", descending, limit) == expected


@pytest.mark.slow
async def test_container_provisioned_without_composite_index(
    cosmos_server: CosmosServer, raw: CosmosClient
) -> None:
    name = f"t{uuid.uuid4().hex[:12]}"
    database = await raw.create_database(name)
    await database.create_container("things", partition_key=PartitionKey("/pk"))  # default indexing only
    b = CosmosBackend(
        cosmos_server.endpoint, cosmos_server.key, name, create_containers=False, connection_verify=False
    )
    await b.open()
    try:
        docs = [{**d, "created_at": str(d["rank"])} for d in _ranked()]
        for doc in docs:
            await b.create("things", doc)
        expected = [d["id"] for d in sorted(docs, key=lambda d: (d["created_at"], d["id"]))]
        assert await _pages(b, "things", "created_at", False, 4) == expected
    finally:
        await b.close()


# -- retries, against a scripted gateway ------------------------------------------------------------


@dataclass
class FakeGateway:
    """Answers the account, database and container reads; item requests follow ``script``."""

    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    hits: list[float] = field(default_factory=list)
    drop_connection: bool = False
    endpoint: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/")
        if path == "":
            here = [{"name": "local", "databaseAccountEndpoint": self.endpoint}]
            return web.json_response(
                {
                    "id": "fake",
                    "writableLocations": here,
                    "readableLocations": here,
                    "queryEngineConfiguration": "{}",
                    "userConsistencyPolicy": {"defaultConsistencyLevel": "Session"},
                }
            )
        if path == "/dbs/db":
            return web.json_response({"id": "db", "_rid": "AAAAAA==", "_self": "dbs/AAAAAA==/"})
        if path == "/dbs/db/colls/c":
            return web.json_response(
                {
                    "id": "c",
                    "_rid": "AAAAAKAAAAA=",
                    "_self": "dbs/AAAAAA==/colls/AAAAAKAAAAA=/",
                    "partitionKey": {"paths": ["/pk"], "kind": "Hash", "version": 2},
                }
            )
        self.hits.append(time.monotonic())
        if self.drop_connection:
            assert request.transport is not None
            request.transport.abort()
            raise ConnectionResetError
        status, headers = self.script.pop(0) if self.script else (200, {})
        body = (
            {"id": "x", "pk": "t", "_etag": '"1"'}
            if status < 300
            else {"code": str(status), "message": "scripted"}
        )
        return web.json_response(
            body, status=201 if request.method == "POST" and status == 200 else status, headers=headers
        )


@pytest.fixture
async def gateway() -> AsyncIterator[FakeGateway]:
    fake = FakeGateway()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    runner, port = await serve_app(app)
    fake.endpoint = f"http://127.0.0.1:{port}/"
    try:
        yield fake
    finally:
        await runner.cleanup()


@pytest.fixture
async def fake(gateway: FakeGateway) -> AsyncIterator[CosmosBackend]:
    b = CosmosBackend(gateway.endpoint, "a2V5", "db", create_containers=False, kinds=[], max_attempts=4)
    await b.open()
    try:
        yield b
    finally:
        await b.close()


def throttled(ms: int) -> tuple[int, dict[str, str]]:
    return 429, {"x-ms-retry-after-ms": str(ms), "x-ms-substatus": "3200"}


async def test_throttled_read_waits_as_told_then_succeeds(gateway: FakeGateway, fake: CosmosBackend) -> None:
    gateway.script = [throttled(150), throttled(150)]
    doc = await fake.read("c", "t", "x")
    assert doc["id"] == "x"
    assert len(gateway.hits) == 3  # the SDK's own throttle retries are off: no multiplying
    assert gateway.hits[1] - gateway.hits[0] >= 0.14 and gateway.hits[2] - gateway.hits[1] >= 0.14


async def test_throttling_that_persists_becomes_unavailable(
    gateway: FakeGateway, fake: CosmosBackend
) -> None:
    gateway.script = [throttled(10)] * 10
    with pytest.raises(StoreUnavailable):
        await fake.create("c", {"id": "x", "pk": "t"})
    assert len(gateway.hits) == 4  # max_attempts


async def test_retry_after_beyond_the_budget_gives_up_at_once(gateway: FakeGateway) -> None:
    b = CosmosBackend(gateway.endpoint, "a2V5", "db", create_containers=False, kinds=[], max_retry_seconds=1)
    await b.open()
    try:
        gateway.script = [throttled(5000)]
        began = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await b.read("c", "t", "x")
        assert time.monotonic() - began < 1 and len(gateway.hits) == 1
    finally:
        await b.close()


async def test_service_unavailable_is_retried_for_writes(gateway: FakeGateway, fake: CosmosBackend) -> None:
    gateway.script = [(503, {}), (503, {})]  # the SDK tries a 503 once more itself, then it is ours
    created = await fake.create("c", {"id": "x", "pk": "t"})
    assert created["id"] == "x" and len(gateway.hits) == 3


async def test_lost_connection_is_retried_for_reads_only(gateway: FakeGateway, fake: CosmosBackend) -> None:
    gateway.drop_connection = True
    with pytest.raises(StoreUnavailable):
        await fake.create("c", {"id": "x", "pk": "t"})
    assert len(gateway.hits) == 1  # the create may have been applied: never replayed
    gateway.hits.clear()
    with pytest.raises(StoreUnavailable):
        await fake.read("c", "t", "x")
    assert len(gateway.hits) >= 4  # max_attempts (aiohttp also replays a GET once on its own)


async def test_unreachable_endpoint_is_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    b = CosmosBackend(f"http://127.0.0.1:{port}/", "a2V5", "db", kinds=[], max_attempts=2)
    with pytest.raises(StoreUnavailable):
        await b.open()
    gc.collect()  # an unclosed client session would warn here (warnings are errors)


def test_retry_after_headers() -> None:
    class E(Exception):
        def __init__(self, headers: dict[str, str]) -> None:
            self.headers = headers

    assert _retry_after(E({"x-ms-retry-after-ms": "250"})) == 0.25
    assert _retry_after(E({"Retry-After": "2"})) == 2.0
    assert _retry_after(E({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) is None
    assert _retry_after(E({})) is None
