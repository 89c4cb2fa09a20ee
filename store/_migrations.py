"""SQLite schema migrations: an ordered list of named functions, each applied once and recorded."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

__all__ = ["MIGRATIONS", "migrate"]


def m001_documents(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE documents (
            kind TEXT NOT NULL,
            pk TEXT NOT NULL,
            id TEXT NOT NULL,
            etag TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (kind, pk, id)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        "CREATE INDEX documents_created ON documents (kind, pk, json_extract(body, '$.created_at'), id)"
    )


def m002_lookup_indexes(db: sqlite3.Connection) -> None:
    for field in ("conversation_id", "run_id", "state"):
        db.execute(f"CREATE INDEX documents_{field} ON documents (kind, pk, json_extract(body, '$.{field}'))")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [m001_documents, m002_lookup_indexes]


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded; safe when several processes start at once."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
        applied = []
        for step in MIGRATIONS:
            if step.__name__ in done:
                continue
            step(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, datetime('now'))", (step.__name__,)
            )
            applied.append(step.__name__)
        db.execute("COMMIT")
        return applied
    except BaseException:
        db.execute("ROLLBACK")
        raise
