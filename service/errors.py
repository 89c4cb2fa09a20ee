"""Errors of the HTTP layer, and the one place that turns every error into RFC 9457 problem+json.

    ServiceError (status, title)
    ├── BadRequest          400
    ├── Unauthorized        401  no or invalid credentials
    ├── Forbidden           403  authenticated, but the role does not allow the action
    ├── NotFoundError       404  (also: another tenant's or another user's object)
    ├── ConflictError       409
    ├── PayloadTooLarge     413
    └── TooManyRequests     429  (with Retry-After)

Store errors are mapped here too: NotFound -> 404, Conflict/PreconditionFailed -> 409,
InvalidContinuation -> 400, StoreUnavailable -> 503. Ops errors: OpsNotFound -> 404,
InvalidOperation -> 422, ApprovalDenied -> 403, ApprovalConflict -> 409, BackendFailure -> 502.
Monitoring errors (UnknownSeries, InvalidRule) -> 422.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import store
from tools import monitoring, ops

__all__ = [
    "BadRequest",
    "ConflictError",
    "Forbidden",
    "NotFoundError",
    "PayloadTooLarge",
    "ServiceError",
    "TooManyRequests",
    "Unauthorized",
    "install_problem_handlers",
    "problem_response",
]

PROBLEM = "application/problem+json"
log = logging.getLogger("opscopilot.errors")


class ServiceError(Exception):
    status = 500

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


class BadRequest(ServiceError):
    status = 400


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFoundError(ServiceError):
    status = 404


class ConflictError(ServiceError):
    status = 409


class PayloadTooLarge(ServiceError):
    status = 413


class TooManyRequests(ServiceError):
    status = 429


def problem_response(
    status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


_STORE_STATUS: list[tuple[type[store.StoreError], int]] = [
    (store.NotFound, 404),
    (store.Conflict, 409),
    (store.PreconditionFailed, 409),
    (store.InvalidContinuation, 400),
    (store.StoreUnavailable, 503),
]


_OPS_STATUS: list[tuple[type[ops.OpsError], int]] = [
    (ops.OpsNotFound, 404),
    (ops.InvalidOperation, 422),
    (ops.ApprovalDenied, 403),
    (ops.ApprovalConflict, 409),
    (ops.BackendFailure, 502),
]


def _validation_detail(exc: RequestValidationError) -> tuple[int, str, list[dict[str, Any]]]:
    errors = [
        {
            "loc": [str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
    if any(e["type"] == "json_invalid" for e in errors):
        return 400, "The request body is not valid JSON.", errors
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(p for p in first["loc"] if p != "body") or "request"
    return 422, f"{where}: {first['msg']}", errors


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_: Request, exc: ServiceError) -> JSONResponse:
        return problem_response(exc.status, exc.detail, headers=exc.headers, **exc.extra)

    @app.exception_handler(store.StoreError)
    async def store_error(_: Request, exc: store.StoreError) -> JSONResponse:
        for kind, status in _STORE_STATUS:
            if isinstance(exc, kind):
                detail = "not found" if status == 404 else str(exc)
                return problem_response(status, detail)
        return problem_response(500, "store error")

    @app.exception_handler(ops.OpsError)
    async def ops_error(_: Request, exc: ops.OpsError) -> JSONResponse:
        for kind, status in _OPS_STATUS:
            if isinstance(exc, kind):
                return problem_response(status, str(exc))
        return problem_response(500, "ops error")

    @app.exception_handler(monitoring.MonitoringError)
    async def monitoring_error(_: Request, exc: monitoring.MonitoringError) -> JSONResponse:
        return problem_response(422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, detail, errors = _validation_detail(exc)
        return problem_response(status, detail, errors=errors)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(500, "internal error; it has been logged")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))
