"""Endpoints served by the service itself: their deployments, traffic and mirror traffic live in
the store (one record per endpoint, ETag-guarded), so every replica serves the same split."""

from __future__ import annotations

import contextlib

from store import Conflict, NotFound, Store, utcnow

from ._endpoints import DeploymentInfo, EndpointState, validate_mirror, validate_traffic
from ._errors import InvalidOperation, OpsNotFound
from ._records import DeploymentSpec, EndpointDoc, OpsRecords

__all__ = ["EmbeddedEndpoints"]


def _state(doc: EndpointDoc) -> EndpointState:
    return EndpointState(
        doc.id,
        {
            n: DeploymentInfo(d.name, d.model, d.version, d.instance_count, d.idempotency_key)
            for n, d in doc.deployments.items()
        },
        dict(doc.traffic),
        dict(doc.mirror_traffic),
    )


class EmbeddedEndpoints:
    def __init__(self, store: Store, max_mirror_percent: int = 50) -> None:
        self.records = OpsRecords(store)
        self.max_mirror = max_mirror_percent

    async def list_endpoints(self, tenant: str) -> list[EndpointState]:
        docs: list[EndpointDoc] = await self.records.endpoints.all(tenant)
        return [_state(doc) for doc in sorted(docs, key=lambda doc: doc.id)]

    async def get_endpoint(self, tenant: str, name: str) -> EndpointState:
        return _state(await self._doc(tenant, name))

    async def _doc(self, tenant: str, name: str) -> EndpointDoc:
        try:
            return await self.records.endpoints.get(tenant, name)
        except NotFound:
            raise OpsNotFound(f"no endpoint named {name!r}") from None

    async def ensure_endpoint(self, tenant: str, name: str) -> EndpointState:
        with contextlib.suppress(Conflict):
            await self.records.endpoints.create(EndpointDoc(id=name, tenant_id=tenant))
        return await self.get_endpoint(tenant, name)

    async def _change(self, tenant: str, name: str, change: object) -> EndpointDoc:
        def apply(doc: EndpointDoc) -> None:
            change(doc)  # type: ignore[operator]
            doc.updated_at = utcnow()

        try:
            return await self.records.endpoints.update(tenant, name, apply)
        except NotFound:
            raise OpsNotFound(f"no endpoint named {name!r}") from None

    async def create_deployment(self, tenant: str, endpoint: str, spec: DeploymentSpec) -> DeploymentInfo:
        def add(doc: EndpointDoc) -> None:
            existing = doc.deployments.get(spec.name)
            if existing is None:
                doc.deployments[spec.name] = spec
                doc.traffic.setdefault(spec.name, 0)
            elif (existing.model, existing.version) != (spec.model, spec.version):
                raise InvalidOperation(f"deployment {spec.name!r} already serves another model version")

        doc = await self._change(tenant, endpoint, add)
        d = doc.deployments[spec.name]
        return DeploymentInfo(d.name, d.model, d.version, d.instance_count, d.idempotency_key)

    async def set_traffic(self, tenant: str, endpoint: str, traffic: dict[str, int]) -> EndpointState:
        def apply(doc: EndpointDoc) -> None:
            wanted = {**{n: 0 for n in doc.deployments}, **traffic}
            doc.traffic = validate_traffic(wanted, set(doc.deployments))
            # a deployment that now takes live traffic can no longer be a shadow
            doc.mirror_traffic = {k: v for k, v in doc.mirror_traffic.items() if doc.traffic.get(k, 0) == 0}

        return _state(await self._change(tenant, endpoint, apply))

    async def set_mirror(self, tenant: str, endpoint: str, mirror: dict[str, int]) -> EndpointState:
        def apply(doc: EndpointDoc) -> None:
            doc.mirror_traffic = validate_mirror(mirror, doc.traffic, set(doc.deployments), self.max_mirror)

        return _state(await self._change(tenant, endpoint, apply))

    async def delete_deployment(self, tenant: str, endpoint: str, deployment: str) -> None:
        def remove(doc: EndpointDoc) -> None:
            if doc.traffic.get(deployment, 0) > 0:
                raise InvalidOperation(f"{deployment!r} still takes live traffic; move it away first")
            doc.deployments.pop(deployment, None)
            doc.traffic.pop(deployment, None)
            doc.mirror_traffic.pop(deployment, None)

        await self._change(tenant, endpoint, remove)
