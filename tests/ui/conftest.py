"""A real service process (uvicorn on a free loopback port, its own data dir, the demo seeded by
``opscopilot demo``) and headless Chromium driven by Playwright, for the end-to-end UI tests.

Chromium is the Debian package at /usr/bin/chromium (``make test`` installs it); Playwright never
downloads a browser. ``chromium.launch`` gives every run a fresh temporary profile, and every
browser context refuses any request that is not to loopback (no CDN, nothing leaves the machine),
except the Entra ID host that a test mocks with ``context.route``.

The fixtures are module-scoped: Playwright's sync API keeps an event loop running in this thread
while it is open, which pytest-asyncio's tests elsewhere in the session cannot share.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "ui"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Entra ID as the test configures it: one app registration (api://<client id>) exposing the API
ENTRA_TID = "7a1c0e2b-1111-4222-8333-944445555666"
ENTRA_CLIENT = "0c2d3e4f-aaaa-4bbb-8ccc-ddddeeeeffff"
ENTRA_AUDIENCE = f"api://{ENTRA_CLIENT}"
ENTRA_ISSUER = f"https://login.microsoftonline.com/{ENTRA_TID}/v2.0"
TIMINGS: dict[str, float] = {}
WAIT_MS = 20_000  # the first deployment check loads the model from MLflow: seconds on a busy machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Jwks:
    """A signing key and its JWKS served over loopback HTTP, as Entra ID serves its keys."""

    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    url: str = ""

    def token(self, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ENTRA_ISSUER, "aud": ENTRA_AUDIENCE, "tid": ENTRA_TID, "iat": now, "exp": now + 3600}
        return jwt.encode(body | claims, self.key, algorithm="RS256", headers={"kid": "ui-test"})


@pytest.fixture(scope="module")
def jwks() -> Iterator[Jwks]:
    keys = Jwks()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(keys.key.public_key()))
    body = json.dumps({"keys": [jwk | {"kid": "ui-test", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    keys.url = f"http://127.0.0.1:{server.server_port}/keys"
    yield keys
    server.shutdown()
    server.server_close()


@dataclass
class Service:
    url: str
    data_dir: Path
    keys: dict[str, str]  # demo user -> API key

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[user]}"}


def _env(data_dir: Path, jwks_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSCOPILOT_")}
    return env | {
        "PYTHONPATH": str(ROOT),
        "OPSCOPILOT_DATA_DIR": str(data_dir),
        "OPSCOPILOT_INSTANCE_ID": "ui-test",
        # canary gates that a test can satisfy in a few seconds of traffic
        "OPSCOPILOT_OPS__POLL_SECONDS": "0.3",
        "OPSCOPILOT_OPS__GATE__WINDOW_SECONDS": "1",
        "OPSCOPILOT_OPS__GATE__MIN_REQUESTS": "3",
        "OPSCOPILOT_ENTRA__TENANT_ID": ENTRA_TID,
        "OPSCOPILOT_ENTRA__AUDIENCE": ENTRA_AUDIENCE,
        "OPSCOPILOT_ENTRA__JWKS_URL": jwks_url,
        "OPSCOPILOT_ENTRA__TENANT_MAP": json.dumps({ENTRA_TID: "demo"}),
    }


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, jwks: Jwks) -> Iterator[Service]:
    """``opscopilot serve`` and ``opscopilot demo`` started together on one fresh data dir (the
    store's migrations are safe across processes; the demo's MLflow seeding is the slow part)."""
    started = time.perf_counter()
    data_dir = tmp_path_factory.mktemp("ui") / "var"
    data_dir.mkdir()
    env = _env(data_dir, jwks.url)
    port = free_port()
    cli = [sys.executable, "-c", "from service.cli import main; main()"]
    with open(data_dir / "serve.log", "wb") as serve_log, open(data_dir / "demo.log", "wb") as demo_log:
        server = subprocess.Popen(
            [*cli, "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=serve_log,
            stderr=subprocess.STDOUT,
        )
        demo = subprocess.Popen([*cli, "demo"], env=env, cwd=ROOT, stdout=demo_log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            ready = False
            while time.monotonic() < deadline and not (ready and demo.poll() is not None):
                assert server.poll() is None, (data_dir / "serve.log").read_text()[-3000:]
                if not ready:
                    try:
                        ready = httpx.get(url + "/readyz", timeout=2).status_code == 200
                        if ready:
                            TIMINGS["server_ready_s"] = round(time.perf_counter() - started, 1)
                    except httpx.TransportError:
                        pass
                time.sleep(0.2)
            assert ready, "the service did not become ready"
            assert demo.wait(1) == 0, (data_dir / "demo.log").read_text()[-3000:]
            TIMINGS["demo_seeded_s"] = round(time.perf_counter() - started, 1)
            keys = {u: e["key"] for u, e in json.loads((data_dir / "demo-keys.json").read_text()).items()}
            yield Service(url, data_dir, keys)
        finally:
            _stop(demo)
            _stop(server)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is not installed at /usr/bin/chromium: `apt-get install -y chromium` (make test does it)"
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        TIMINGS["browser_launch_s"] = round(time.perf_counter() - started, 1)
        try:
            yield chromium
        finally:
            chromium.close()
    (ARTIFACTS / "timings.json").write_text(json.dumps(TIMINGS, indent=2))


class Session:
    """One user's browser tab (own context: own sessionStorage), loopback only."""

    def __init__(self, browser: Any, service: Service, name: str) -> None:
        self.service = service
        self.name = name
        self.context = browser.new_context(viewport={"width": 1366, "height": 860})
        self.context.set_default_timeout(WAIT_MS)
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context.route(_not_loopback, self._block)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(message.text)  # the page must not need anything the CSP refuses

    def _block(self, route: Any) -> None:
        self.blocked.append(route.request.url)
        route.abort()

    def sign_in(self, user: str, hash_: str = "#/chat") -> None:
        self.page.goto(f"{self.service.url}/{hash_}")
        self.page.get_by_label("API key").fill(self.service.keys[user])
        self.page.get_by_role("button", name="Sign in with key").click()
        self.page.get_by_role("button", name="Sign out").wait_for()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors
        assert not self.blocked, f"the page tried to leave loopback: {self.blocked}"


def _not_loopback(url: str) -> bool:
    host = httpx.URL(url).host
    return url.startswith(("http:", "https:")) and host not in ("127.0.0.1", "localhost")


@pytest.fixture
def session(browser: Any, service: Service) -> Iterator[Any]:
    opened: list[Session] = []

    def open_(name: str) -> Session:
        s = Session(browser, service, name)
        opened.append(s)
        return s

    yield open_
    for s in opened:
        s.close()
