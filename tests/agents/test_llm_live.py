"""The provider layer against a real llama.cpp server (Gemma 3 270M, tests/support/llm_server.py).

The model is a small base model: these tests assert protocol and shape (text, usage, chunks, JSON
that fits a schema, events, errors), never wording. See docs/llm-test-server.md.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, Literal

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.messages import TextMessage
from autogen_core.models import CreateResult, UserMessage
from pydantic import BaseModel, ConfigDict

from agents._errors import AllProvidersFailed
from agents._providers import LLMProviders, LLMSettings, ModelInfoOverrides, ProviderConfig
from agents._resilient import RetryPolicy
from tests.support.llm_server import LlamaServer, free_port, llama_server_fixture

pytestmark = pytest.mark.slow

# One server for this module; the outage test kills it and starts it again.
llm_server = llama_server_fixture(scope="module", threads=1)  # steadier than 2 on a busy CPU

PROMPT = "Summarise the status of the inference endpoint."
RETRY = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.05, jitter=0)


class Status(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    healthy: bool
    severity: Literal["low", "medium", "high"]


STATUS_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "status", "strict": True, "schema": Status.model_json_schema()},
}


class Events(list[tuple[str, dict[str, Any]]]):
    async def __call__(self, kind: str, data: dict[str, Any]) -> None:
        self.append((kind, data))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [d for k, d in self if k == kind]


def local(server: LlamaServer, name: str = "local", base_url: str | None = None) -> ProviderConfig:
    return ProviderConfig(
        name=name,
        kind="openai_compatible",
        model=server.model,
        base_url=base_url or server.base_url,
        api_key=None,
        timeout=30,
        context_window=server.n_ctx,
        # a base model with no chat template: no tools; JSON only through a grammar
        model_info=ModelInfoOverrides(function_calling=False, json_output=True, structured_output=True),
        create_args={"max_tokens": 16},
    )


@pytest.fixture
async def providers(llm_server: LlamaServer) -> AsyncIterator[LLMProviders]:
    llm_server.start()  # no-op when it is up
    p = LLMProviders(LLMSettings(deployments=[local(llm_server)], retry=RETRY))
    try:
        yield p
    finally:
        await p.close()


async def test_create_returns_text_and_records_usage(
    providers: LLMProviders, llm_server: LlamaServer
) -> None:
    events = Events()
    client = providers.client("log_analyst", on_event=events)
    result = await client.create([UserMessage(content=f"{PROMPT} Owner: alice@contoso.com", source="user")])

    assert isinstance(result.content, str)
    assert result.finish_reason in ("stop", "length")
    assert result.usage.prompt_tokens > 0 and 0 < result.usage.completion_tokens <= 16
    (call,) = events.of("llm.call")
    assert call["deployment"] == "local" and call["model"] == llm_server.model
    assert (call["prompt_tokens"], call["completion_tokens"]) == (
        result.usage.prompt_tokens,
        result.usage.completion_tokens,
    )
    assert call["cost_usd"] is None and call["latency_ms"] > 0  # no price for a local model
    assert client.usage_summary()[llm_server.model]["calls"] == 1


async def test_stream_yields_chunks_then_result_with_usage(providers: LLMProviders) -> None:
    events = Events()
    client = providers.client("report_writer", on_event=events)
    items = [
        item
        async for item in client.create_stream(
            [UserMessage(content=PROMPT, source="user")],
            extra_create_args={"extra_body": {"ignore_eos": True}},  # llama.cpp: exactly max_tokens
        )
    ]

    *chunks, final = items
    assert chunks and all(isinstance(c, str) for c in chunks)
    assert isinstance(final, CreateResult)
    assert final.content == "".join(chunks)  # type: ignore[arg-type]
    assert final.usage.completion_tokens == 16  # usage chunk asked for by the layer
    assert events.of("llm.call")[0]["stream"] is True


async def test_json_schema_constrained_output_parses(providers: LLMProviders) -> None:
    client = providers.client("evaluator")
    result = await client.create(
        [UserMessage(content=PROMPT, source="user")],
        extra_create_args={"response_format": STATUS_FORMAT, "temperature": 0.0, "max_tokens": 64},
    )

    assert result.finish_reason == "stop"
    Status.model_validate(json.loads(str(result.content)))


# autogen 0.7.5 logs ParsedChatCompletion.model_dump(), on which pydantic warns (openai 3.x typing)
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
async def test_structured_output_with_a_pydantic_model(providers: LLMProviders) -> None:
    client = providers.client("evaluator")
    result = await client.create(
        [UserMessage(content=PROMPT, source="user")],
        json_output=Status,
        extra_create_args={"temperature": 0.0, "max_tokens": 64},
    )

    Status.model_validate_json(str(result.content))


async def test_outage_retries_then_fails_and_recovers_after_restart(
    providers: LLMProviders, llm_server: LlamaServer
) -> None:
    events = Events()
    client = providers.client("ops_assistant", on_event=events)
    llm_server.kill()
    try:
        with pytest.raises(AllProvidersFailed, match="local: APIConnectionError"):
            await client.create([UserMessage(content="hello", source="user")])
        assert [r["error"] for r in events.of("llm.retry")] == ["APIConnectionError"] * (
            RETRY.max_attempts - 1
        )
        assert events.of("llm.call") == []
    finally:
        llm_server.start()  # same port: the same client works again

    result = await client.create([UserMessage(content="hello", source="user")])
    assert isinstance(result.content, str) and result.usage.completion_tokens > 0


async def test_a_dead_deployment_falls_back_to_the_live_one(llm_server: LlamaServer) -> None:
    dead = local(llm_server, "ptu", base_url=f"http://127.0.0.1:{free_port()}/v1")
    settings = LLMSettings(deployments=[dead, local(llm_server, "paygo")], retry=RETRY)
    providers = LLMProviders(settings)
    events = Events()
    try:
        result = await providers.client("router", on_event=events).create(
            [UserMessage(content="hi", source="user")]
        )
    finally:
        await providers.close()

    assert isinstance(result.content, str)
    assert [k for k, _ in events] == ["llm.retry", "llm.fallback", "llm.call"]
    assert events.of("llm.call")[0]["deployment"] == "paygo"


async def test_assistant_agent_runs_through_the_client(providers: LLMProviders) -> None:
    events = Events()
    agent = AssistantAgent(
        "log_analyst",
        model_client=providers.client("log_analyst", on_event=events),
        system_message="You triage error logs.",
        model_client_stream=True,
    )
    result = await agent.run(task="Error: connection reset by 10.0.0.7 while serving /score")

    last = result.messages[-1]
    assert isinstance(last, TextMessage) and last.source == "log_analyst"
    assert isinstance(last.content, str)
    assert last.models_usage is not None and last.models_usage.prompt_tokens > 0
    (call,) = events.of("llm.call")
    assert call["stream"] is True and call["agent"] == "log_analyst"
