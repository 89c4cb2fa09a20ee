"""A real Cosmos DB for NoSQL API on loopback: ``@vercel/cosmosdb-server`` run by Node.

The npm project in ``tests/cosmosdb`` pins the server; ``npm ci --prefix tests/cosmosdb`` (run by
``make test``) installs it. Data lives in the Node process's memory and is gone when it stops.

    with CosmosServer() as server:
        backend = CosmosBackend(server.endpoint, server.key, "test", connection_verify=False)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["EMULATOR_KEY", "CosmosServer", "CosmosServerUnavailable"]

# The documented key of the Azure Cosmos DB emulator; cosmosdb-server accepts any key.
EMULATOR_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="

PROJECT = Path(__file__).resolve().parents[1] / "cosmosdb"
LAUNCHER = PROJECT / "serve.js"
PACKAGE = PROJECT / "node_modules" / "@vercel" / "cosmosdb-server" / "package.json"


class CosmosServerUnavailable(RuntimeError):
    """The server cannot be started here (Node or the npm packages are missing, or it did not come up)."""


class CosmosServer:
    """Start with :meth:`start` (or ``with``); the server picks a free loopback port itself."""

    def __init__(self, startup_timeout: float = 30.0) -> None:
        self.startup_timeout = startup_timeout
        self.key = EMULATOR_KEY
        self.port: int | None = None
        self.startup_seconds: float | None = None
        self._process: subprocess.Popen[str] | None = None
        self._stderr: list[str] = []
        self._drain: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        if self.port is None:
            raise RuntimeError("CosmosServer is not started")
        return f"https://127.0.0.1:{self.port}/"

    def start(self) -> CosmosServer:
        node = shutil.which("node")
        if node is None:
            raise CosmosServerUnavailable(
                "node is not on PATH: install Node.js 20+ to run the Cosmos DB tests"
            )
        if not PACKAGE.exists():
            raise CosmosServerUnavailable(
                "@vercel/cosmosdb-server is not installed: run `make test`, or `npm ci --prefix tests/cosmosdb`"
            )
        began = time.monotonic()
        # Port 0: the server binds a free port and reports it, so there is no pick-then-bind race.
        self._process = subprocess.Popen(
            [node, str(LAUNCHER), "0", "127.0.0.1"],
            cwd=PROJECT,
            stdin=subprocess.PIPE,  # closing it stops the server, even if this process dies
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._drain = threading.Thread(target=self._drain_stderr, daemon=True)
        self._drain.start()
        ready = self._read_ready_line()
        self.port = int(ready["port"])
        self.startup_seconds = time.monotonic() - began
        return self

    def _drain_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr.append(line)

    def _read_ready_line(self) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self._process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(self.startup_timeout)
        line = result[0] if result else ""
        try:
            ready = json.loads(line)
        except ValueError:
            ready = None
        if not isinstance(ready, dict) or not ready.get("ready"):
            self.stop()
            output = (line + "".join(self._stderr)).strip()[-2000:]
            raise CosmosServerUnavailable(
                f"cosmosdb-server did not start within {self.startup_timeout}s: {output}"
            )
        return ready

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if self._drain is not None:
            self._drain.join(timeout=5)  # ends at EOF, now that the process is gone
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> CosmosServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
