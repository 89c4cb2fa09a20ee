"""The whole service in LLM mode against a real OpenAI-compatible server (llama.cpp serving Gemma 3
270M). The model is tiny and not instruction-tuned: these tests assert protocol and shape — runs,
streamed events, usage — never wording."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agents import LLMSettings, ModelInfoOverrides, ProviderConfig, RetryPolicy
from tests.runtime.sse import parse_sse
from tests.support.api import Api, make_api
from tests.support.llm_server import LlamaServer, llama_server_fixture

pytestmark = pytest.mark.slow

llm_server = llama_server_fixture(scope="module", threads=1)
SSE = {"accept": "text/event-stream"}


def llm_settings(server: LlamaServer) -> LLMSettings:
    return LLMSettings(
        deployments=[
            ProviderConfig(
                name="local",
                kind="openai_compatible",
                model=server.model,
                base_url=server.base_url,
                api_key="not-needed",
                model_info=ModelInfoOverrides(function_calling=True, json_output=True, family="unknown"),
                timeout=30,
                create_args={"max_tokens": 24, "temperature": 0},
            )
        ],
        retry=RetryPolicy(max_attempts=2, initial_wait=0.05, max_wait=0.2, jitter=0),
    )


@pytest.fixture
async def llm_api(tmp_path: Path, llm_server: LlamaServer) -> AsyncIterator[Api]:
    llm_server.start()
    async for api in make_api(tmp_path, llm=llm_settings(llm_server)):
        yield api


async def ask(api: Api, content: str) -> list[dict]:
    conv = (await api.client.post("/v1/conversations", json={}, headers=api.auth("user"))).json()["id"]
    r = await api.client.post(
        f"/v1/conversations/{conv}/messages",
        json={"content": content},
        headers=api.auth("user") | SSE,
        timeout=120,
    )
    assert r.status_code == 200
    return parse_sse(r.text)


async def test_llm_run_streams_and_records_usage(llm_api: Api) -> None:
    events = await ask(llm_api, "Summarise the error rate of the churn endpoint.")
    types = [e["type"] for e in events]
    assert types[0] == "run.started" and types[-1] == "run.completed"
    assert events[0]["data"]["mode"] == "llm"
    calls = [e for e in events if e["type"] == "llm.call"]
    assert calls and all(c["data"]["prompt_tokens"] > 0 for c in calls)
    assert any(e["type"] == "token" for e in events)  # the answer streamed token by token
    final = next(e for e in events if e["type"] == "message" and e["data"]["final"])
    assert final["data"]["metadata"]["mode"] == "llm"
    assert final["data"]["metadata"]["model"] == calls[-1]["data"]["model"]
    run = (await llm_api.client.get(f"/v1/runs/{events[0]['run_id']}", headers=llm_api.auth("user"))).json()
    assert run["state"] == "succeeded" and run["usage"]["llm_calls"] == len(calls)
    assert run["usage"]["prompt_tokens"] == sum(c["data"]["prompt_tokens"] for c in calls)
    rollups = await llm_api.store.usage.all("contoso")
    assert any(
        r.dims.get("model") == calls[-1]["data"]["model"] and r.counters.get("llm_calls") for r in rollups
    )


async def test_outage_retries_then_falls_back_to_offline(llm_api: Api, llm_server: LlamaServer) -> None:
    llm_server.kill()
    try:
        events = await ask(llm_api, "What was total sales in 2019?")
    finally:
        llm_server.start()
    types = [e["type"] for e in events]
    assert "llm.retry" in types and "llm.unavailable" in types
    final = next(e for e in events if e["type"] == "message" and e["data"]["final"])
    assert final["data"]["metadata"]["mode"] == "offline"
    assert "fallback" in final["data"]["metadata"]
    assert final["data"]["content"].startswith("[offline mode")
    assert events[-1]["data"]["state"] == "succeeded"
