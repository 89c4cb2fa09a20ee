"""The embedded default backend: one SQLite file in WAL mode.

Every call runs in a worker thread on that thread's own connection, so concurrent requests and
several processes on one host share the file safely; writes are single statements (atomic), and
ETag checks are part of the UPDATE's WHERE clause.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

from ._backend import Cond, Order
from ._errors import Conflict, NotFound, PreconditionFailed, StoreUnavailable
from ._migrations import migrate

__all__ = ["SqliteBackend"]


def _param(value: Any) -> Any:
    # json_extract yields 1/0 for JSON booleans.
    return int(value) if isinstance(value, bool) else value


class SqliteBackend:
    name = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._busy = 0  # calls in worker threads right now
        self._closed = False

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    async def _run(self, fn: Any, *args: Any) -> Any:
        """Run `fn` in a worker thread. `_busy` counts statements that may be running, and a
        statement counts itself down in its thread: a caller cancelled meanwhile stops waiting at
        once, but `close` must still wait for the statement (a connection closed under a running
        statement crashes the process). One cancelled before its thread started never runs."""
        if self._closed:
            raise StoreUnavailable("sqlite: the store is closed")
        ran, dropped = threading.Event(), threading.Event()

        def call() -> Any:
            with self._lock:
                if dropped.is_set():
                    return None
                ran.set()
            try:
                if self._closed:
                    raise StoreUnavailable("sqlite: the store is closed")
                return fn(*args)
            finally:
                with self._lock:
                    self._busy -= 1

        with self._lock:
            self._busy += 1
        try:
            return await asyncio.to_thread(call)
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"sqlite: {exc}") from exc
        except asyncio.CancelledError:
            with self._lock:
                if not ran.is_set():
                    dropped.set()
                    self._busy -= 1
            raise

    async def open(self) -> None:
        self._closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        await self._run(lambda: migrate(self._db()))

    async def close(self) -> None:
        """Refuse new calls, let the ones in flight finish (closing a connection under a running
        statement crashes sqlite3), then close every thread's connection."""
        self._closed = True
        for _ in range(500):
            if self._busy == 0:
                break
            await asyncio.sleep(0.01)
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    async def ping(self) -> None:
        await self._run(lambda: self._db().execute("SELECT 1").fetchone())

    @staticmethod
    def _out(body: str, etag: str) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(body)
        doc["_etag"] = etag
        return doc

    async def create(self, kind: str, doc: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps({k: v for k, v in doc.items() if k != "_etag"})
        etag = uuid.uuid4().hex

        def insert() -> None:
            try:
                self._db().execute(
                    "INSERT INTO documents (kind, pk, id, etag, body) VALUES (?, ?, ?, ?, ?)",
                    (kind, doc["pk"], doc["id"], etag, body),
                )
            except sqlite3.IntegrityError as exc:
                raise Conflict(kind, doc["id"]) from exc

        await self._run(insert)
        return self._out(body, etag)

    async def read(self, kind: str, pk: str, id: str) -> dict[str, Any]:
        def select() -> Any:
            return (
                self._db()
                .execute("SELECT body, etag FROM documents WHERE kind=? AND pk=? AND id=?", (kind, pk, id))
                .fetchone()
            )

        row = await self._run(select)
        if row is None:
            raise NotFound(kind, id)
        return self._out(row[0], row[1])

    async def replace(self, kind: str, doc: dict[str, Any], etag: str) -> dict[str, Any]:
        body = json.dumps({k: v for k, v in doc.items() if k != "_etag"})
        new_etag = uuid.uuid4().hex

        def update() -> int:
            cur = self._db().execute(
                "UPDATE documents SET body=?, etag=? WHERE kind=? AND pk=? AND id=? AND etag=?",
                (body, new_etag, kind, doc["pk"], doc["id"], etag),
            )
            return cur.rowcount

        if await self._run(update) == 0:
            await self.read(kind, doc["pk"], doc["id"])  # NotFound when it is gone
            raise PreconditionFailed(kind, doc["id"])
        return self._out(body, new_etag)

    async def delete(self, kind: str, pk: str, id: str, etag: str | None = None) -> None:
        sql = "DELETE FROM documents WHERE kind=? AND pk=? AND id=?"
        args: tuple[Any, ...] = (kind, pk, id)
        if etag is not None:
            sql += " AND etag=?"
            args += (etag,)
        if await self._run(lambda: self._db().execute(sql, args).rowcount) == 0:
            await self.read(kind, pk, id)
            raise PreconditionFailed(kind, id)

    async def query(
        self, kind: str, pk: str | None, where: list[Cond], order: Order, limit: int
    ) -> list[dict[str, Any]]:
        sql = ["SELECT body, etag FROM documents WHERE kind=?"]
        args: list[Any] = [kind]
        if pk is not None:
            sql.append("AND pk=?")
            args.append(pk)
        for cond in where:
            column = f"json_extract(body, '$.{cond.field}')"
            if cond.op == "in":
                values = list(cond.value)
                if not values:
                    return []
                sql.append(f"AND {column} IN ({', '.join('?' * len(values))})")
                args.extend(_param(v) for v in values)
            else:
                sql.append(f"AND {column} {cond.op} ?")
                args.append(_param(cond.value))
        key = f"json_extract(body, '$.{order.field}')"
        direction = "DESC" if order.descending else "ASC"
        if order.after is not None:
            cmp = "<" if order.descending else ">"
            sql.append(f"AND ({key} {cmp} ? OR ({key} = ? AND id {cmp} ?))")
            args.extend([_param(order.after[0]), _param(order.after[0]), order.after[1]])
        sql.append(f"ORDER BY {key} {direction}, id {direction} LIMIT ?")
        args.append(limit)
        rows = await self._run(lambda: self._db().execute(" ".join(sql), args).fetchall())
        return [self._out(body, etag) for body, etag in rows]
