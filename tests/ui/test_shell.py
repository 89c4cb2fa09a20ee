"""The UI shell is public and carries no data: the same static bytes for everyone, every asset
local, security headers on, nothing in the OpenAPI schema (so the auth matrix need not list it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.routes.ui import STATIC, WEB, entra_client
from service.settings import EntraSettings
from tests.support.api import Api, make_api

SHELL = ["/", "/ui/config.json", "/ui/app.css", "/ui/js/app.js"]
ASSET = re.compile(r"""(?:src|href)="([^"#]+)\"""")
IMPORT = re.compile(r"""(?:from|import)\s*\(?\s*["']([^"']+)["']""")


@pytest.mark.parametrize("path", SHELL)
async def test_shell_is_public_and_the_same_for_everyone(api: Api, path: str) -> None:
    anonymous = await api.client.get(path)
    signed_in = await api.client.get(path, headers=api.auth("admin"))
    assert anonymous.status_code == 200, anonymous.text
    assert anonymous.content == signed_in.content
    for secret in ("contoso", "fabrikam", "user-contoso", *api.keys.values()):
        assert secret not in anonymous.text
    headers = anonymous.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


async def test_shell_routes_stay_out_of_the_openapi_schema(api: Api) -> None:
    paths = api.app.openapi()["paths"]
    assert not [p for p in paths if p == "/" or p.startswith("/ui")]


async def test_ui_serves_only_its_own_files(api: Api) -> None:
    for path in (
        "/ui/../routes/ui.py",
        "/ui/%2e%2e/routes/ui.py",
        "/ui/js/nope.js",
        "/ui/../../pyproject.toml",
    ):
        r = await api.client.get(path)
        assert r.status_code == 404, path
    assert (await api.client.get("/ui", follow_redirects=False)).headers["location"] == "/"


def test_every_asset_is_local() -> None:
    """No CDN: the shell's links and the modules' imports all point at files we serve."""
    html = (WEB / "index.html").read_text()
    refs = [r for r in ASSET.findall(html) if not r.startswith("data:")]
    assert refs and all(r.startswith("/ui/") for r in refs), refs
    for ref in refs:
        assert (STATIC / ref.removeprefix("/ui/")).is_file(), ref
    for module in (STATIC / "js").glob("*.js"):
        for target in IMPORT.findall(module.read_text()):
            assert target.startswith("./"), (module.name, target)
            assert (module.parent / target).is_file(), (module.name, target)
    assert not re.search(
        r"https?://(?!www\.w3\.org/2000/svg)", "".join(p.read_text() for p in STATIC.rglob("*.*"))
    )


def test_no_inline_script_or_style() -> None:
    """The CSP forbids inline code, so the shell must not need any."""
    html = (WEB / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and " style=" not in html and not re.search(r"\son[a-z]+=", html)


def test_entra_sign_in_settings() -> None:
    assert entra_client(EntraSettings()) == {"enabled": False}
    guid = "0c2d3e4f-aaaa-4bbb-8ccc-ddddeeeeffff"
    tid = "7a1c0e2b-1111-4222-8333-944445555666"
    conf = entra_client(EntraSettings(tenant_id=tid, audience=f"api://{guid}"))
    assert conf == {
        "enabled": True,
        "redirect": True,
        "client_id": guid,
        "authority": f"https://login.microsoftonline.com/{tid}",
        "scope": f"openid profile api://{guid}/.default",
    }
    # an audience that names no client id: only a pasted token works
    named = entra_client(EntraSettings(tenant_id=tid, audience="api://opscopilot"))
    assert named["enabled"] and not named["redirect"]


async def test_csp_lets_the_page_reach_the_entra_token_endpoint(tmp_path: Path) -> None:
    entra = EntraSettings(
        tenant_id="7a1c0e2b-1111-4222-8333-944445555666",
        audience="api://0c2d3e4f-aaaa-4bbb-8ccc-ddddeeeeffff",
    )
    async for api in make_api(tmp_path, entra=entra):
        r = await api.client.get("/")
        assert "connect-src 'self' https://login.microsoftonline.com;" in r.headers["content-security-policy"]
        assert (await api.client.get("/ui/config.json")).json()["entra"]["redirect"] is True
