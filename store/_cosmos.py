"""Azure Cosmos DB for NoSQL backend: one container per kind, partition key path ``/pk``.

Same semantics and errors as :class:`~store.SqliteBackend`. The partition-key design, retries,
indexing and the gaps of the test emulator are explained in ``docs/cosmos.md``.

Retries have exactly one owner per failure, so the layers never multiply:

* 429, 503 and failed connects: here (tenacity), honouring ``x-ms-retry-after-ms`` /
  ``Retry-After``, at most ``max_attempts`` tries and ``max_retry_seconds`` of waiting; the SDK's
  own throttle retries (9 tries, 30 s) and pipeline connection retries are switched off.
* A connection lost once the request may have been sent: retried here only for reads and queries;
  a write may already have been applied, and replaying it could apply a change twice.
* Regional fail-over (one extra try after a 503 or a timeout in a single-region account): the SDK.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import aiohttp
from azure.core import MatchConditions
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError, ServiceRequestError, ServiceResponseError
from azure.cosmos import PartitionKey
from azure.cosmos._retry_options import RetryOptions
from azure.cosmos.aio import ContainerProxy, CosmosClient, DatabaseProxy
from azure.cosmos.documents import ConnectionPolicy
from azure.cosmos.exceptions import CosmosHttpResponseError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from ._backend import Cond, Order
from ._errors import Conflict, NotFound, PreconditionFailed, StoreError, StoreUnavailable

__all__ = ["DEFAULT_ORDER_FIELDS", "CosmosBackend", "indexing_policy"]

T = TypeVar("T")

SYSTEM_FIELDS = ("_rid", "_self", "_ts", "_attachments")
DEFAULT_ORDER_FIELDS = ("created_at", "updated_at", "seq")
_NO_COMPOSITE_INDEX = "corresponding composite index"


def indexing_policy(order_fields: Iterable[str] = DEFAULT_ORDER_FIELDS) -> dict[str, Any]:
    """Every path range-indexed, plus the composite ``(field, id)`` indexes that keyset listing needs.

    Both directions are listed: Cosmos DB serves a reversed ORDER BY from one of them, the emulator
    only from an exact match."""
    composite = [
        [{"path": _path(field), "order": direction}, {"path": "/id", "order": direction}]
        for field in order_fields
        for direction in ("ascending", "descending")
    ]
    return {
        "indexingMode": "consistent",
        "automatic": True,
        "includedPaths": [{"path": "/*"}],
        "excludedPaths": [{"path": '/"_etag"/?'}],
        "compositeIndexes": composite,
    }


def _path(field: str) -> str:
    return "/" + field.replace(".", "/")


def _ref(field: str) -> str:
    # Bracket notation: field names such as "value" or "order" are reserved words in Cosmos SQL.
    return "c" + "".join(f'["{part}"]' for part in field.split("."))


def _get(doc: dict[str, Any], field: str) -> Any:
    value: Any = doc
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _record_kinds() -> list[str]:
    """The kinds the store's own records use: their containers are created at open()."""
    from ._models import Record

    kinds, stack = [], list(Record.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        kind = cls.__dict__.get("kind")
        if cls.__module__ == Record.__module__ and isinstance(kind, str) and kind not in kinds:
            kinds.append(kind)
    return sorted(kinds)


def _retry_after(exc: BaseException) -> float | None:
    headers = {k.lower(): v for k, v in (getattr(exc, "headers", None) or {}).items()}
    try:
        if headers.get("x-ms-retry-after-ms"):
            return float(headers["x-ms-retry-after-ms"]) / 1000
        if headers.get("retry-after"):
            return float(headers["retry-after"])
    except ValueError:
        return None
    return None


class CosmosBackend:
    name = "cosmos"

    def __init__(
        self,
        endpoint: str,
        credential: str | AsyncTokenCredential | None,
        database: str,
        create_containers: bool = True,
        container_prefix: str = "",
        connection_verify: bool = True,
        throughput: int | None = None,
        *,
        kinds: Iterable[str] | None = None,
        order_fields: Iterable[str] = DEFAULT_ORDER_FIELDS,
        max_attempts: int = 6,
        max_retry_seconds: float = 30.0,
    ) -> None:
        """``credential``: the account key, an async token credential, or ``None`` for
        ``DefaultAzureCredential`` (Entra ID; closed with the backend). ``throughput`` is shared
        database throughput in RU/s, set only when the database is created (``None``: serverless or
        provisioned elsewhere). ``kinds`` get their containers at open(), others on first use."""
        self.endpoint = endpoint
        self.database_name = database
        self.create_containers = create_containers
        self.container_prefix = container_prefix
        self.connection_verify = connection_verify
        self.throughput = throughput
        self.kinds = sorted(set(kinds)) if kinds is not None else _record_kinds()
        self.order_fields = frozenset(order_fields)
        self.max_attempts = max_attempts
        self.max_retry_seconds = max_retry_seconds
        self._credential = credential
        self._owned_credential: AsyncTokenCredential | None = None
        self._client: CosmosClient | None = None
        self._database: DatabaseProxy | None = None
        self._containers: dict[str, ContainerProxy] = {}
        self._container_locks: dict[str, asyncio.Lock] = {}
        self._unindexed: set[tuple[str, str]] = set()  # (kind, field) without a composite index

    # -- connection ---------------------------------------------------------------------------------

    async def open(self) -> None:
        credential = self._credential
        if credential is None:
            from azure.identity.aio import DefaultAzureCredential

            credential = self._owned_credential = DefaultAzureCredential()
        policy = ConnectionPolicy()
        policy.RetryOptions = RetryOptions(max_retry_attempt_count=0, max_wait_time_in_seconds=0)
        client = CosmosClient(
            self.endpoint,
            credential,
            connection_policy=policy,
            connection_verify=self.connection_verify,
            retry_connect=0,
            retry_read=0,
        )
        self._client = client
        try:
            await self._admin(client.__aenter__, idempotent=True)
            if self.create_containers:
                self._database = await self._admin(
                    lambda: client.create_database_if_not_exists(
                        self.database_name, offer_throughput=self.throughput
                    )
                )
                await asyncio.gather(*(self._container(kind) for kind in self.kinds))
            else:
                self._database = client.get_database_client(self.database_name)
                await self._admin(self._database.read, idempotent=True)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        client, self._client = self._client, None
        self._database = None
        self._containers.clear()
        if client is not None:
            await client.close()
        credential, self._owned_credential = self._owned_credential, None
        if credential is not None:
            await credential.close()

    async def ping(self) -> None:
        if self._database is None:
            raise StoreUnavailable("cosmos: backend is not open")
        await self._admin(self._database.read, idempotent=True)

    async def _container(self, kind: str) -> ContainerProxy:
        container = self._containers.get(kind)
        if container is not None:
            return container
        if self._database is None:
            raise StoreUnavailable("cosmos: backend is not open")
        database, name = self._database, self.container_prefix + kind
        async with self._container_locks.setdefault(kind, asyncio.Lock()):
            if kind not in self._containers:
                self._containers[kind] = (
                    await self._admin(
                        lambda: database.create_container_if_not_exists(
                            name,
                            partition_key=PartitionKey(path="/pk"),
                            indexing_policy=indexing_policy(self.order_fields),
                        )
                    )
                    if self.create_containers
                    else database.get_container_client(name)
                )
            return self._containers[kind]

    # -- retries and errors -------------------------------------------------------------------------

    async def _retrying(self, call: Callable[[], Awaitable[T]], idempotent: bool = False) -> T:
        def transient(exc: BaseException) -> bool:
            if isinstance(exc, CosmosHttpResponseError):
                return exc.status_code in (429, 503)
            if isinstance(exc, ServiceRequestError | ServiceResponseError):
                # Only a failed connect proves the request never left; after that, a write may have
                # been applied even though its answer was lost.
                return idempotent or isinstance(exc.inner_exception, aiohttp.ClientConnectorError)
            return False

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            hinted = _retry_after(exc) if exc is not None else None
            if hinted is not None:
                return hinted
            return min(2.0, 0.1 * 2 ** (state.attempt_number - 1)) * random.uniform(0.5, 1.0)  # noqa: S311

        def stop(state: RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            hinted = (_retry_after(exc) if exc is not None else None) or 0.0
            return (
                state.attempt_number >= self.max_attempts
                or (state.seconds_since_start or 0.0) + hinted > self.max_retry_seconds
            )

        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(transient), wait=wait, stop=stop, reraise=True
            ):
                with attempt:
                    return await call()
        except CosmosHttpResponseError as exc:
            if (exc.status_code or 0) >= 500 or exc.status_code in (401, 403, 429):
                raise StoreUnavailable(f"cosmos: {exc.status_code} {exc.reason or ''}".strip()) from exc
            raise
        except AzureError as exc:
            raise StoreUnavailable(f"cosmos: {type(exc).__name__}: {exc.message}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def _admin(self, call: Callable[[], Awaitable[T]], idempotent: bool = False) -> T:
        """Account, database and container operations: a missing database or container means the
        store is not provisioned, which callers see like an outage."""
        try:
            return await self._retrying(call, idempotent)
        except CosmosHttpResponseError as exc:
            if exc.status_code == 404:
                raise StoreUnavailable(
                    f"cosmos: database {self.database_name!r} or a container does not exist"
                ) from exc
            raise StoreError(f"cosmos: {exc.status_code} {exc.message}") from exc

    async def _item_call(
        self, kind: str, id: str, call: Callable[[], Awaitable[T]], idempotent: bool = False
    ) -> T:
        try:
            return await self._retrying(call, idempotent)
        except CosmosHttpResponseError as exc:
            if exc.status_code == 404 and exc.sub_status == 1003:
                raise StoreUnavailable(f"cosmos: container for {kind!r} does not exist") from exc
            if exc.status_code == 404:
                raise NotFound(kind, id) from exc
            if exc.status_code == 409:
                raise Conflict(kind, id) from exc
            if exc.status_code == 412:
                raise PreconditionFailed(kind, id) from exc
            raise StoreError(f"cosmos: {exc.status_code} {exc.message}") from exc

    @staticmethod
    def _out(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in doc.items() if k not in SYSTEM_FIELDS}

    @staticmethod
    def _body(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in doc.items() if k != "_etag" and k not in SYSTEM_FIELDS}

    # -- documents ----------------------------------------------------------------------------------

    async def create(self, kind: str, doc: dict[str, Any]) -> dict[str, Any]:
        container = await self._container(kind)
        body = self._body(doc)
        return self._out(await self._item_call(kind, doc["id"], lambda: container.create_item(body)))

    async def read(self, kind: str, pk: str, id: str) -> dict[str, Any]:
        container = await self._container(kind)
        return self._out(
            await self._item_call(
                kind, id, lambda: container.read_item(id, partition_key=pk), idempotent=True
            )
        )

    async def replace(self, kind: str, doc: dict[str, Any], etag: str) -> dict[str, Any]:
        container = await self._container(kind)
        body = self._body(doc)
        return self._out(
            await self._item_call(
                kind,
                doc["id"],
                lambda: container.replace_item(
                    doc["id"], body, etag=etag, match_condition=MatchConditions.IfNotModified
                ),
            )
        )

    async def delete(self, kind: str, pk: str, id: str, etag: str | None = None) -> None:
        container = await self._container(kind)
        condition = MatchConditions.IfNotModified if etag is not None else None
        await self._item_call(
            kind,
            id,
            lambda: container.delete_item(id, partition_key=pk, etag=etag, match_condition=condition),
        )

    # -- queries ------------------------------------------------------------------------------------

    async def query(
        self, kind: str, pk: str | None, where: list[Cond], order: Order, limit: int
    ) -> list[dict[str, Any]]:
        """Keyset order by ``(field, id)`` from a composite index; for fields without one (not in
        ``order_fields``, or a container provisioned without it) by ``field`` alone, completing
        the group of equal values at the end of the page with a second query ordered by id."""
        filters, params = self._filters(pk, where)
        if filters is None:
            return []
        key = _ref(order.field)
        direction = "DESC" if order.descending else "ASC"
        if order.after is not None:
            cmp = "<" if order.descending else ">"
            filters.append(f"({key} {cmp} @after OR ({key} = @after AND c.id {cmp} @after_id))")
            params += [
                {"name": "@after", "value": order.after[0]},
                {"name": "@after_id", "value": order.after[1]},
            ]
        indexed = order.field in self.order_fields and (kind, order.field) not in self._unindexed
        if indexed:
            try:
                return await self._select(
                    kind, pk, filters, params, f"{key} {direction}, c.id {direction}", limit
                )
            except StoreError as exc:
                if _NO_COMPOSITE_INDEX not in str(exc):
                    raise
                self._unindexed.add((kind, order.field))
        rows = await self._select(kind, pk, filters, params, f"{key} {direction}", limit)
        head = rows
        if len(rows) == limit:
            # Rows before the last value are complete; the tie group at the end may not be.
            last = _get(rows[-1], order.field)
            head = [r for r in rows if _get(r, order.field) != last]
            ties = await self._select(
                kind,
                pk,
                [*filters, f"{key} = @last"],
                [*params, {"name": "@last", "value": last}],
                f"c.id {direction}",
                limit - len(head),
            )
        else:
            ties = []
        return self._sort_groups(head, order) + ties

    @staticmethod
    def _sort_groups(rows: list[dict[str, Any]], order: Order) -> list[dict[str, Any]]:
        """``rows`` are ordered by field; order each run of equal values by id."""
        out: list[dict[str, Any]] = []
        group: list[dict[str, Any]] = []
        for row in rows:
            if group and _get(group[0], order.field) != _get(row, order.field):
                out += sorted(group, key=lambda r: r["id"], reverse=order.descending)
                group = []
            group.append(row)
        return out + sorted(group, key=lambda r: r["id"], reverse=order.descending)

    @staticmethod
    def _filters(pk: str | None, where: list[Cond]) -> tuple[list[str] | None, list[dict[str, Any]]]:
        filters: list[str] = []
        params: list[dict[str, Any]] = []
        if pk is not None:
            filters.append("c.pk = @pk")
            params.append({"name": "@pk", "value": pk})
        for n, cond in enumerate(where):
            if cond.op == "in":
                values = list(cond.value)
                if not values:
                    return None, []
                names = [f"@p{n}_{i}" for i in range(len(values))]
                filters.append(f"{_ref(cond.field)} IN ({', '.join(names)})")
                params += [{"name": name, "value": v} for name, v in zip(names, values, strict=True)]
            else:
                filters.append(f"{_ref(cond.field)} {cond.op} @p{n}")
                params.append({"name": f"@p{n}", "value": cond.value})
        return filters, params

    async def _select(
        self,
        kind: str,
        pk: str | None,
        filters: list[str],
        params: list[dict[str, Any]],
        order_by: str,
        limit: int,
    ) -> list[dict[str, Any]]:
        container = await self._container(kind)
        where = f" WHERE {' AND '.join(filters)}" if filters else ""
        sql = f"SELECT TOP @limit * FROM c{where} ORDER BY {order_by}"
        parameters = [*params, {"name": "@limit", "value": limit}]
        # A tenant's queries name its partition: one partition, one round trip, no query plan.
        # The pk filter stays in the WHERE clause as well (the emulator insists on it).
        scope: dict[str, Any] = {"partition_key": pk} if pk is not None else {}

        async def run() -> list[dict[str, Any]]:
            items = container.query_items(sql, parameters=parameters, max_item_count=limit, **scope)
            return [self._out(doc) async for doc in items]

        return await self._item_call(kind, "", run, idempotent=True)
