"""``GET /metrics``: the Prometheus exposition of every series (docs/monitoring.md).

Authenticated like everything but health: either the platform scraper's dedicated bearer token
(``OPSCOPILOT_TELEMETRY__METRICS_TOKEN``), which sees every tenant's series, or an admin's API key
or token, which sees only the series labelled with the admin's tenant."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from ..auth import Role
from ..deps import get_principal
from ..errors import NotFoundError

router = APIRouter(tags=["metrics"])


def _is_scraper(authorization: str | None, token: str | None) -> bool:
    scheme, _, credential = (authorization or "").partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(credential.strip().encode(), str(token).encode())
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format 0.0.4."}},
)
async def metrics(
    request: Request, authorization: Annotated[str | None, Header(include_in_schema=False)] = None
) -> Response:
    """Every series for the scraper token; the caller's tenant's series for an admin."""
    settings = request.app.state.settings.telemetry
    if not settings.metrics_endpoint:
        raise NotFoundError("the metrics endpoint is disabled")
    secret = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    tenant = None
    if not _is_scraper(authorization, secret):
        who = await get_principal(request, authorization)
        who.require(Role.admin)
        tenant = who.tenant_id
    return Response(request.app.state.telemetry.render(tenant), media_type=CONTENT_TYPE_LATEST)
