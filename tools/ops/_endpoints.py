"""The endpoint backend protocol, the state it reports, and the traffic rules every backend obeys.

Traffic is a dict ``{deployment: percent}`` of integers summing to 100 (or empty when the endpoint
has no deployment); mirror (shadow) traffic copies a share of requests to deployments that take no
live traffic, at most 50% each and in total (Azure ML's limit, applied to the embedded default too).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from ._errors import InvalidOperation
from ._records import DeploymentSpec

__all__ = [
    "DeploymentInfo",
    "EndpointBackend",
    "EndpointState",
    "deployment_name",
    "shift_traffic",
    "validate_mirror",
    "validate_traffic",
]

MAX_MIRROR = 50


@dataclass
class DeploymentInfo:
    name: str
    model: str
    version: int
    instance_count: int = 1
    idempotency_key: str = ""


@dataclass
class EndpointState:
    name: str
    deployments: dict[str, DeploymentInfo] = field(default_factory=dict)
    traffic: dict[str, int] = field(default_factory=dict)
    mirror_traffic: dict[str, int] = field(default_factory=dict)

    def live(self) -> dict[str, int]:
        return {k: v for k, v in self.traffic.items() if v > 0}

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "deployments": [asdict(d) for d in self.deployments.values()],
            "traffic": dict(self.traffic),
            "mirror_traffic": dict(self.mirror_traffic),
        }


class EndpointBackend(Protocol):
    """Endpoints, their deployments and traffic, for one tenant at a time. Every write is idempotent:
    repeating it after a crash converges to the same state."""

    async def list_endpoints(self, tenant: str) -> list[EndpointState]: ...

    async def get_endpoint(self, tenant: str, name: str) -> EndpointState:
        """:class:`OpsNotFound` when there is no such endpoint."""
        ...

    async def ensure_endpoint(self, tenant: str, name: str) -> EndpointState: ...

    async def create_deployment(self, tenant: str, endpoint: str, spec: DeploymentSpec) -> DeploymentInfo:
        """Create the deployment (with no traffic); an existing one of the same model version is kept."""
        ...

    async def set_traffic(self, tenant: str, endpoint: str, traffic: dict[str, int]) -> EndpointState: ...

    async def set_mirror(self, tenant: str, endpoint: str, mirror: dict[str, int]) -> EndpointState: ...

    async def delete_deployment(self, tenant: str, endpoint: str, deployment: str) -> None: ...


_NAME = re.compile(r"[^a-z0-9-]+")


def deployment_name(model: str, version: int) -> str:
    """An Azure-valid deployment name (3-32 chars, letters, digits, dashes, starting with a letter)."""
    base = _NAME.sub("-", model.lower()).strip("-") or "model"
    if not base[0].isalpha():
        base = "m-" + base
    suffix = f"-v{version}"
    return base[: 32 - len(suffix)].rstrip("-") + suffix


def validate_traffic(traffic: dict[str, int], deployments: set[str]) -> dict[str, int]:
    clean: dict[str, int] = {}
    for name, pct in traffic.items():
        if name not in deployments:
            raise InvalidOperation(f"no deployment {name!r} on this endpoint")
        if not isinstance(pct, int) or isinstance(pct, bool) or not 0 <= pct <= 100:
            raise InvalidOperation(f"traffic of {name!r} must be an integer percent in 0..100")
        clean[name] = pct
    total = sum(clean.values())
    if deployments and total != 100:
        raise InvalidOperation(f"traffic must sum to 100 (got {total})")
    return clean


def validate_mirror(
    mirror: dict[str, int], traffic: dict[str, int], deployments: set[str], limit: int = MAX_MIRROR
) -> dict[str, int]:
    clean: dict[str, int] = {}
    for name, pct in mirror.items():
        if name not in deployments:
            raise InvalidOperation(f"no deployment {name!r} on this endpoint")
        if not isinstance(pct, int) or isinstance(pct, bool) or not 0 <= pct <= limit:
            raise InvalidOperation(f"mirror traffic of {name!r} must be an integer percent in 0..{limit}")
        if pct and traffic.get(name, 0) > 0:
            raise InvalidOperation(f"{name!r} takes live traffic; only a deployment at 0% can be a shadow")
        if pct:
            clean[name] = pct
    if sum(clean.values()) > limit:
        raise InvalidOperation(f"mirror traffic may total at most {limit}%")
    return clean


def shift_traffic(current: dict[str, int], candidate: str, percent: int) -> dict[str, int]:
    """Give ``candidate`` ``percent`` and scale the others to the rest (largest remainder, sums to 100)."""
    if not 0 <= percent <= 100:
        raise InvalidOperation("traffic percent must be in 0..100")
    others = {k: v for k, v in current.items() if k != candidate and v > 0}
    rest = 100 - percent
    if not others:
        if rest:
            raise InvalidOperation("nothing else takes traffic: the candidate must get 100%")
        return {candidate: 100}
    total = sum(others.values())
    exact = {k: v * rest / total for k, v in others.items()}
    shares = {k: int(x) for k, x in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - shares[k], reverse=True)[: rest - sum(shares.values())]:
        shares[k] += 1
    out = {k: v for k, v in shares.items()}
    out[candidate] = percent
    return out
