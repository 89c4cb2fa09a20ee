"""Entra ID tokens signed by a test key, with the JWKS served over loopback HTTP as Entra does."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from service.settings import EntraSettings
from tests.service.conftest import Api, make_api

AUDIENCE = "api://opscopilot"
TID = "11111111-2222-3333-4444-555555555555"
ISSUER = f"https://login.microsoftonline.com/{TID}/v2.0"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = rsa_key()
OTHER_KEY = rsa_key()


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    body = json.dumps({"keys": [jwk | {"kid": "test-kid", "use": "sig", "alg": "RS256"}]}).encode()

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
    yield f"http://127.0.0.1:{server.server_port}/discovery/v2.0/keys"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def entra_api(tmp_path: Path, jwks_url: str) -> AsyncIterator[Api]:
    entra = EntraSettings(tenant_id=TID, audience=AUDIENCE, jwks_url=jwks_url, tenant_map={TID: "contoso"})
    async for api in make_api(tmp_path, entra=entra):
        yield api


def token(key: rsa.RSAPrivateKey = SIGNING_KEY, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "tid": TID,
        "oid": "user-oid-1",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "roles": ["OpsCopilot.User"],
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "test-kid"})


def bearer(t: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {t}"}


async def test_valid_token_maps_tenant_user_and_roles(entra_api: Api) -> None:
    r = await entra_api.client.post("/v1/conversations", json={"title": "t"}, headers=bearer(token()))
    assert r.status_code == 201, r.text
    assert r.json()["user_id"] == "user-oid-1"
    assert (await entra_api.store.conversations.get("contoso", r.json()["id"])).tenant_id == "contoso"


async def test_app_roles_are_mapped(entra_api: Api) -> None:
    admin = bearer(token(roles=["OpsCopilot.Admin"]))
    assert (await entra_api.client.get("/v1/audit", headers=admin)).status_code == 200
    assert (await entra_api.client.get("/v1/conversations", headers=admin)).status_code == 403


@pytest.mark.parametrize(
    ("claims", "key"),
    [
        ({"exp": int(time.time()) - 3600}, SIGNING_KEY),
        ({"aud": "api://someone-else"}, SIGNING_KEY),
        ({"iss": "https://evil.example/v2.0"}, SIGNING_KEY),
        ({}, OTHER_KEY),
        ({"roles": ["Something.Else"]}, SIGNING_KEY),
        ({"roles": None}, SIGNING_KEY),
        ({"tid": None}, SIGNING_KEY),
        ({"oid": None}, SIGNING_KEY),
    ],
    ids=["expired", "audience", "issuer", "signature", "unknown-role", "no-roles", "no-tid", "no-user"],
)
async def test_invalid_tokens_are_refused(
    entra_api: Api, claims: dict[str, Any], key: rsa.RSAPrivateKey
) -> None:
    r = await entra_api.client.get("/v1/conversations", headers=bearer(token(key, **claims)))
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"


async def test_tampered_token_is_refused(entra_api: Api) -> None:
    head, payload, sig = token().split(".")
    forged = jwt.utils.base64url_encode(
        json.dumps({"roles": ["OpsCopilot.Admin"], "tid": TID}).encode()
    ).decode()
    r = await entra_api.client.get("/v1/audit", headers=bearer(f"{head}.{forged}.{sig}"))
    assert r.status_code == 401


async def test_api_keys_still_work_beside_entra(entra_api: Api) -> None:
    assert (
        await entra_api.client.get("/v1/conversations", headers=entra_api.auth("user"))
    ).status_code == 200
