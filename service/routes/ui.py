"""The web UI: a static shell at ``/`` and its assets under ``/ui/``.

Nothing here reads the store or knows who is calling: the pages are the same bytes for everyone and
carry no data. The browser signs in (API key or Entra ID token, kept in ``sessionStorage``) and gets
every piece of data from the authenticated ``/v1`` API. That is why these routes are public, like
``/healthz``, and kept out of the OpenAPI schema (``tests/ui/test_shell.py`` checks both).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from ..deps import SettingsDep
from ..settings import EntraSettings

__all__ = ["install", "router"]

WEB = Path(__file__).resolve().parent.parent / "web"
STATIC = WEB / "static"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

router = APIRouter(include_in_schema=False)


def entra_client(entra: EntraSettings) -> dict[str, Any]:
    """What the browser needs for the Entra ID sign-in (authorization code + PKCE, no secret).

    ``client_id``, ``scope`` and ``authority`` are read when the settings have them; otherwise the
    client id is the GUID of an ``api://<guid>`` (or bare GUID) audience, the usual set-up where one
    app registration exposes the API and is the SPA; the scope is ``<audience>/.default``."""
    if not entra.enabled:
        return {"enabled": False}
    audience = entra.audience or ""
    client_id = getattr(entra, "client_id", None)
    if not client_id:
        guid = audience.removeprefix("api://")
        client_id = guid if _GUID.match(guid) else None
    authority = getattr(entra, "authority", None) or (
        f"https://login.microsoftonline.com/{entra.tenant_id}" if entra.tenant_id else None
    )
    scope = getattr(entra, "scope", None) or f"{audience.rstrip('/')}/.default"
    return {
        "enabled": True,
        "redirect": bool(client_id and authority),
        "client_id": client_id,
        "authority": authority,
        "scope": f"openid profile {scope}",
    }


def security_headers(connect: str = "") -> dict[str, str]:
    """No inline script, nothing from another origin except the Entra token endpoint (``connect``)."""
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        f"connect-src 'self'{' ' + connect if connect else ''}; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return {
        "content-security-policy": csp,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
        "cache-control": "no-cache",
    }


def _origin(url: str | None) -> str:
    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


class UiFiles(StaticFiles):
    """Static assets with the UI's security headers; revalidated on every load (ETag)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(security_headers())
        return response


@router.get("/")
async def index(settings: SettingsDep) -> FileResponse:
    """The shell: the same static page for everyone; data comes from the API after sign-in."""
    connect = _origin(entra_client(settings.entra).get("authority"))
    return FileResponse(WEB / "index.html", media_type="text/html", headers=security_headers(connect))


@router.get("/ui")
async def ui_root() -> RedirectResponse:
    return RedirectResponse("/")


@router.get("/ui/config.json")
async def ui_config(settings: SettingsDep) -> JSONResponse:
    """Public sign-in settings (ids that any single-page app discloses anyway); no tenant data."""
    body = {"entra": entra_client(settings.entra), "api": "/v1"}
    return JSONResponse(body, headers=security_headers())


def install(app: FastAPI) -> None:
    """Serve the shell at ``/`` and its assets at ``/ui/*`` (after every API route)."""
    app.include_router(router)
    app.mount("/ui", UiFiles(directory=STATIC), name="ui")
