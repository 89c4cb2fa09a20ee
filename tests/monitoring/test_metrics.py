"""The Prometheus /metrics endpoint after some traffic: the documented series with their labels,
tenant-filtered for an admin, complete for the scraper token; and the spans of one run."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from agents import RunRecorder
from service.auth import Role
from service.settings import TelemetrySettings
from store import Run
from tests.monitoring.conftest import Stub, serve, start
from tests.service.conftest import Api

TOKEN = "scrape-" + uuid.uuid4().hex


@pytest.fixture
async def scraped(tmp_path: Path) -> AsyncIterator[Api]:
    async for api in start(tmp_path, telemetry=TelemetrySettings(metrics_token=SecretStr(TOKEN))):
        yield api


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [(s.name, s.labels, s.value) for f in text_string_to_metric_families(text) for s in f.samples]


def find(rows: list, name: str, **labels: str) -> list[tuple[str, dict[str, str], float]]:
    return [r for r in rows if r[0] == name and all(r[1].get(k) == v for k, v in labels.items())]


async def llm_run(api: Api, tenant: str) -> None:
    """One run as LLM mode records it: a model call, a tool call, an approval request, a flag."""
    run = await api.store.runs.create(Run(tenant_id=tenant, conversation_id="c1", user_id="u1"))
    rec = RunRecorder(api.store, run)
    await rec.emit("run.started", None, {"mode": "llm"})
    await rec.llm_event(
        "ops_assistant",
        "llm.call",
        {
            "model": "gpt-4o-mini",
            "deployment": "primary",
            "prompt_tokens": 1200,
            "completion_tokens": 300,
            "latency_ms": 850.0,
            "finish_reason": "stop",
            "cost_usd": 0.00036,
            "attempts": 1,
        },
    )
    await rec.emit("tool_call", "ops_assistant", {"tool": "ops-list_models", "args": {}, "call_id": "t1"})
    await rec.emit(
        "tool_result", "ops_assistant", {"tool": "ops-list_models", "call_id": "t1", "duration_ms": 12.0}
    )
    await rec.emit(
        "approval_requested", "ops_assistant", {"approval_id": "a1", "operation": "ops-propose_rollback"}
    )
    await rec.emit("flag", None, {"family": "override", "severity": "high", "source": "user"})
    await rec.emit("run.completed", "ops_assistant", {"state": "waiting_approval"})


async def test_metrics_expose_the_documented_series(scraped: Api) -> None:
    api = scraped
    tenant = "t" + uuid.uuid4().hex[:8]  # metrics are process-wide: a fresh tenant gives exact counts
    admin = await api.key(tenant, "root", Role.admin)
    user = await api.key(tenant, "ann", Role.user)
    conv = (await api.client.post("/v1/conversations", json={}, headers=user)).json()
    r = await api.client.post(
        f"/v1/conversations/{conv['id']}/messages", json={"content": "hello"}, headers=user
    )
    assert r.status_code == 200
    await llm_run(api, tenant)
    await serve(api, "m", {"m": Stub(lambda row: 1)}, {"m": 100}, tenant=tenant)
    scorer_key = await api.key(tenant, "bob", Role.user)
    for _ in range(3):
        await api.client.post("/v1/endpoints/m/score", json={"inputs": [[1.0]]}, headers=scorer_key)
    await api.app.state.monitoring.monitor.endpoint_stats(
        tenant, "m", __import__("store").utcnow().replace(year=2000)
    )

    r = await api.client.get("/metrics", headers=admin)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    rows = samples(r.text)
    assert rows and all(labels.get("tenant") == tenant for _, labels, _ in rows)  # only the admin's tenant

    http = find(
        rows,
        "opscopilot_http_requests_total",
        tenant=tenant,
        http_route="/v1/conversations/{conversation_id}/messages",
        http_request_method="POST",
    )
    assert http and http[0][1]["http_response_status_code"] == "200" and http[0][2] == 1
    assert find(rows, "opscopilot_http_requests_total", http_route="/v1/endpoints/{name}/score")[0][2] == 3
    runs = find(rows, "opscopilot_agent_runs_total", tenant=tenant)
    assert {(r[1]["agent"], r[1]["state"]) for r in runs} >= {("ops_assistant", "waiting_approval")}
    assert sum(r[2] for r in runs) == 2
    assert find(rows, "opscopilot_agent_run_duration_seconds_count", agent="ops_assistant")
    tools = find(
        rows, "opscopilot_tool_calls_total", tool="ops-list_models", outcome="ok", agent="ops_assistant"
    )
    assert tools and tools[0][2] >= 1
    assert find(rows, "opscopilot_tool_call_duration_seconds_sum", tool="ops-list_models")
    tokens = find(
        rows,
        "gen_ai_client_token_usage_sum",
        gen_ai_request_model="gpt-4o-mini",
        gen_ai_system="openai",
        gen_ai_operation_name="chat",
    )
    assert {r[1]["gen_ai_token_type"]: r[2] for r in tokens} == {"input": 1200, "output": 300}
    duration = find(rows, "gen_ai_client_operation_duration_seconds_sum", gen_ai_request_model="gpt-4o-mini")
    assert duration[0][2] == pytest.approx(0.85)
    assert (
        find(rows, "opscopilot_llm_tokens_total", agent="ops_assistant", gen_ai_token_type="input")[0][2]
        == 1200
    )
    assert find(rows, "opscopilot_llm_cost_usd_total", agent="ops_assistant")[0][2] == pytest.approx(0.00036)
    approvals = find(
        rows, "opscopilot_approvals_requested_total", operation="ops-propose_rollback", source="agent"
    )
    assert approvals[0][2] == 1
    assert find(rows, "opscopilot_run_flags_total", family="override", severity="high")[0][2] == 1
    share = find(rows, "opscopilot_endpoint_traffic_share", endpoint="m", deployment="m")
    assert share[0][2] == 1.0
    assert find(rows, "opscopilot_endpoint_error_rate", endpoint="m")[0][2] == 0.0

    # the scraper token sees every tenant; other roles and no credentials do not get in
    everything = samples(
        (await api.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).text
    )
    assert {labels.get("tenant") for _, labels, _ in everything} > {tenant}
    # FastAPI's own HTTP server metrics (no tenant label: the scraper's view only)
    assert find(
        everything,
        "http_server_request_duration_seconds_count",
        http_route="/v1/conversations/{conversation_id}/messages",
        http_request_method="POST",
    )
    assert (await api.client.get("/metrics", headers=user)).status_code == 403
    assert (await api.client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
    assert (await api.client.get("/metrics")).status_code == 401


class Collect(SpanExporter):
    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []
        self.on = True

    def export(self, spans: object) -> SpanExportResult:
        if self.on:
            self.spans.extend(spans)  # type: ignore[arg-type]
        return SpanExportResult.SUCCESS


@pytest.fixture
def spans() -> Iterator[Collect]:
    collect = Collect()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(collect))
    yield collect
    collect.on = False  # processors cannot be removed; this one stops keeping spans


async def test_spans_of_a_request_and_its_run(mon: Api, spans: Collect) -> None:
    user = mon.auth("user")
    conv = (await mon.client.post("/v1/conversations", json={}, headers=user)).json()
    await mon.client.post(
        f"/v1/conversations/{conv['id']}/messages",
        json={"content": "hello"},
        headers={**user, "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
    )
    await llm_run(mon, "contoso")
    by_name = {s.name: s for s in spans.spans if not s.instrumentation_scope.name.startswith("autogen")}
    server = by_name["POST /v1/conversations/{conversation_id}/messages"]  # FastAPI's server span
    assert server.kind == trace.SpanKind.SERVER and server.attributes["opscopilot.tenant"] == "contoso"
    assert format(server.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"  # continued
    run = next(
        s
        for s in spans.spans
        if "opscopilot.run_id" in (s.attributes or {}) and s.context.trace_id == server.context.trace_id
    )  # ours (AutoGen adds its own too)
    assert (
        run.attributes["gen_ai.operation.name"] == "invoke_agent"
        and run.attributes["opscopilot.tenant"] == "contoso"
    )
    chat = by_name["chat gpt-4o-mini"]
    assert chat.attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert (
        chat.attributes["gen_ai.usage.input_tokens"] == 1200
        and chat.attributes["gen_ai.usage.output_tokens"] == 300
    )
    assert chat.attributes["gen_ai.response.finish_reasons"] == ("stop",)
    assert (chat.end_time - chat.start_time) / 1e6 == pytest.approx(850, abs=5)
    llm_parent = by_name["invoke_agent ops_assistant"]
    assert chat.parent.span_id == llm_parent.context.span_id
    tool = by_name["execute_tool ops-list_models"]
    assert (
        tool.attributes["gen_ai.tool.name"] == "ops-list_models"
        and tool.parent.span_id == llm_parent.context.span_id
    )
    assert [e.name for e in llm_parent.events] == ["approval_requested"]
