"""Request dependencies as typed aliases: routes declare what they need, nothing else."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from agents import AgentRuntime
from store import Store

from .auth import Principal, Role, authenticate
from .settings import Settings

__all__ = [
    "AdminDep",
    "OperatorDep",
    "PrincipalDep",
    "SettingsDep",
    "StoreDep",
    "TriagerDep",
    "UserDep",
    "requires",
]


def get_store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_runtime(request: Request) -> AgentRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


StoreDep = Annotated[Store, Depends(get_store)]
RuntimeDep = Annotated[AgentRuntime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_principal(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal:
    principal = await authenticate(authorization, request.app.state.store, request.app.state.entra)
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def requires(*roles: Role) -> object:
    """A dependency that lets the call through only for a principal holding one of ``roles``."""

    async def check(principal: PrincipalDep) -> Principal:
        principal.require(*roles)
        return principal

    check.roles = roles  # type: ignore[attr-defined]
    return Depends(check)


UserDep = Annotated[Principal, requires(Role.user)]
TriagerDep = Annotated[Principal, requires(Role.triager)]
OperatorDep = Annotated[Principal, requires(Role.operator)]
AdminDep = Annotated[Principal, requires(Role.admin)]
