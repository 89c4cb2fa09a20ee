"""The embedded default on one host: several processes on one SQLite file, and tampering done
directly in the database file, caught by `opscopilot audit verify`."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from store import SqliteBackend, Store

WRITER = """
import asyncio, sys
from store import SqliteBackend, Store, Conversation

async def main(path, who, n):
    db = Store(SqliteBackend(path))
    await db.open()
    for i in range(n):
        await db.conversations.create(Conversation(tenant_id="contoso", user_id=who, title=str(i)))
        await db.audit.append("contoso", who, "conversation.create", str(i))
    await db.close()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def test_processes_share_one_file_safely(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"proc{i}", "25"], stderr=subprocess.PIPE)
        for i in range(3)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()

    async def check() -> None:
        db = Store(SqliteBackend(path))
        await db.open()
        assert len(await db.conversations.all("contoso")) == 75
        report = await db.audit.verify("contoso")
        assert report.ok and report.checked == 75
        await db.close()

    asyncio.run(check())


def test_cli_verify_detects_an_edit_made_with_sql(tmp_path: Path) -> None:
    data = tmp_path / "var"

    async def seed() -> None:
        db = Store(SqliteBackend(data / "opscopilot.db"))
        await db.open()
        for i in range(4):
            await db.audit.append("contoso", "alice", "key.create", str(i))
        await db.close()

    asyncio.run(seed())
    cli = [sys.executable, "-m", "service.cli", "audit", "verify", "--tenant", "contoso"]
    env = {"OPSCOPILOT_DATA_DIR": str(data), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run(cli, capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0 and "OK (4 events)" in ok.stdout

    with sqlite3.connect(data / "opscopilot.db") as raw:  # an attacker with file access
        body = json.loads(raw.execute("SELECT body FROM documents WHERE kind='audit' AND id=?", (f"{2:012d}",)).fetchone()[0])
        body["actor"] = "mallory"
        raw.execute("UPDATE documents SET body=? WHERE kind='audit' AND id=?", (json.dumps(body), f"{2:012d}"))

    broken = subprocess.run(cli, capture_output=True, text=True, env=env, timeout=120)
    assert broken.returncode == 1
    assert "BROKEN at event 2" in broken.stdout


async def test_close_waits_for_a_statement_whose_caller_was_cancelled(tmp_path: Path) -> None:
    """Shutdown cancels background tasks and then closes the store: a statement still running in
    its thread must finish before its connection is closed (closing it under the statement crashed
    the process), and a call cancelled before its thread started never runs."""
    backend = SqliteBackend(tmp_path / "s.db")
    await backend.open()
    started, finished = threading.Event(), threading.Event()

    def slow() -> None:
        started.set()
        time.sleep(0.3)
        backend._db().execute("SELECT 1").fetchone()
        finished.set()

    task = asyncio.create_task(backend._run(slow))
    assert await asyncio.to_thread(started.wait, 5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert not finished.is_set()
    await backend.close()
    assert finished.is_set()  # close waited for the running statement
    assert backend._busy == 0
