"""Exceptions of the ops tools (registry, endpoints, jobs, approvals, rollouts).

OpsError                    root of everything raised by ``tools.ops``
├── OpsNotFound             no such model, version, endpoint, deployment, approval or job (404)
├── InvalidOperation        developer or caller misuse: bad parameters, traffic not summing to 100 (422)
├── ApprovalDenied          the rules refuse this decision: four eyes, role, decided already (403)
├── ApprovalConflict        the approval is not in a state that allows this (not pending, expired) (409)
└── BackendFailure          the registry, endpoint or job backend failed (MLflow, Azure) (502)
"""

from __future__ import annotations

__all__ = [
    "ApprovalConflict",
    "ApprovalDenied",
    "BackendFailure",
    "InvalidOperation",
    "OpsError",
    "OpsNotFound",
]


class OpsError(Exception):
    """Root of every error of the ops tools."""


class OpsNotFound(OpsError):
    pass


class InvalidOperation(OpsError):
    pass


class ApprovalDenied(OpsError):
    pass


class ApprovalConflict(OpsError):
    pass


class BackendFailure(OpsError):
    pass
