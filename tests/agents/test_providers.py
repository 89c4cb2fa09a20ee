"""The LLM provider layer against a scripted OpenAI-compatible server on loopback.

The server (aiohttp, in the test's event loop) answers ``/{deployment}/v1/chat/completions`` and
Azure's ``/openai/deployments/{deployment}/chat/completions`` from a script per deployment, echoes
the last user message when the script is empty, and records every request exactly as it arrived:
retries, fallbacks and redaction are asserted on what reached the wire.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from autogen_core import FunctionCall
from autogen_core.models import (
    AssistantMessage,
    ChatCompletionClient,
    CreateResult,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    SystemMessage,
    UserMessage,
)
from autogen_ext.models.openai import _model_info
from autogen_ext.models.replay import ReplayChatCompletionClient
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from agents._errors import AllProvidersFailed, ProviderError
from agents._providers import LLMProviders, LLMSettings, ProviderConfig, build_client
from agents._resilient import Deployment, ResilientChatClient, RetryPolicy
from agents._usage import DEFAULT_PRICES, Price, UsageMeter, price_for
from tests.support.llm_server import free_port
from tests.support.loopback import serve_app
from tools.safety import RedactionSession

FAST = RetryPolicy(max_attempts=3, initial_wait=0.001, max_wait=0.05, jitter=0)
EMAIL, IP, KEY = "alice@contoso.com", "10.20.30.40", "sk-abcdefghijklmnopqrstuvwx1234"


# --- the scripted server -------------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None  # None: echo the last user message
    tool_call: tuple[str, str] | None = None  # (name, arguments)
    usage: tuple[int, int] = (11, 7)
    break_after: int | None = None  # streams: drop the connection after this many content chunks


class FakeOpenAI:
    def __init__(self) -> None:
        self.scripts: dict[str, list[Reply]] = defaultdict(list)
        self.requests: list[dict[str, Any]] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    def script(self, deployment: str, *replies: Reply) -> None:
        self.scripts[deployment].extend(replies)

    def base_url(self, deployment: str) -> str:
        return f"http://127.0.0.1:{self.port}/{deployment}/v1"

    def bodies(self, deployment: str) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests if r["deployment"] == deployment]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{dep}/v1/chat/completions", self._handle)
        app.router.add_post("/openai/deployments/{dep}/chat/completions", self._handle)
        self._runner, self.port = await serve_app(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        dep = request.match_info["dep"]
        body = await request.json()
        self.requests.append(
            {
                "deployment": dep,
                "path": request.path,
                "query": dict(request.query),
                "headers": dict(request.headers),
                "body": body,
            }
        )
        reply = self.scripts[dep].pop(0) if self.scripts[dep] else Reply()
        if reply.status != 200:
            error = {
                "error": {
                    "message": f"scripted {reply.status}",
                    "type": "scripted",
                    "code": str(reply.status),
                }
            }
            return web.json_response(error, status=reply.status, headers=reply.headers)
        text = reply.text if reply.text is not None else "echo: " + _last_user_text(body)
        model = _model_info.resolve_model(body["model"])  # like the real API: the dated version
        if body.get("stream"):
            return await self._stream(request, body, reply, text, model)
        message: dict[str, Any] = {"role": "assistant", "content": text}
        finish = "stop"
        if reply.tool_call:
            name, args = reply.tool_call
            message = {"role": "assistant", "content": None, "tool_calls": [_tool_call(name, args)]}
            finish = "tool_calls"
        prompt, completion = reply.usage
        return web.json_response(
            {
                "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
            }
        )  # fmt: skip

    async def _stream(
        self, request: web.Request, body: dict[str, Any], reply: Reply, text: str, model: str
    ) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)

        async def send(choices: list[dict[str, Any]], usage: dict[str, int] | None = None) -> None:
            chunk = {
                "id": "c",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": choices,
            }
            if usage is not None:
                chunk["usage"] = usage
            await resp.write(f"data: {json.dumps(chunk)}\n\n".encode())

        await send([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        pieces = [text[i : i + 4] for i in range(0, len(text), 4)]  # splits placeholders across chunks
        for n, piece in enumerate(pieces):
            if reply.break_after is not None and n == reply.break_after:
                assert request.transport is not None
                request.transport.close()  # mid-stream outage
                return resp
            await send([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
        await send([{"index": 0, "delta": {}, "finish_reason": "stop"}])
        if body.get("stream_options", {}).get("include_usage"):
            prompt, completion = reply.usage
            await send(
                [],
                {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
            )
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp


def _last_user_text(body: dict[str, Any]) -> str:
    user = [m for m in body["messages"] if m["role"] == "user"]
    content = user[-1]["content"] if user else ""
    return content if isinstance(content, str) else " ".join(p.get("text", "") for p in content)


def _tool_call(name: str, args: str) -> dict[str, Any]:
    return {"id": "call_1", "type": "function", "function": {"name": name, "arguments": args}}


class Events(list[tuple[str, dict[str, Any]]]):
    async def __call__(self, kind: str, data: dict[str, Any]) -> None:
        self.append((kind, data))

    def kinds(self) -> list[str]:
        return [k for k, _ in self]

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [d for k, d in self if k == kind]


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    server = FakeOpenAI()
    await server.start()
    yield server
    await server.stop()


Make = Callable[..., ResilientChatClient]


@pytest.fixture
async def make(fake: FakeOpenAI) -> AsyncIterator[Make]:
    """``make("d1", "d2", ...)``: a ResilientChatClient over those deployments of the fake server."""
    made: list[ChatCompletionClient] = []

    def factory(
        *deployments: str | ProviderConfig,
        retry: RetryPolicy = FAST,
        redactor: RedactionSession | None = None,
        events: Events | None = None,
        prices: dict[str, Price] | None = None,
    ) -> ResilientChatClient:
        cfgs = [d if isinstance(d, ProviderConfig) else compatible(fake, d) for d in deployments]
        settings = LLMSettings(deployments=cfgs, prices=prices or {})
        deps = [Deployment(c.name, c.model, build_client(c), settings.price_of(c)) for c in cfgs]
        client = ResilientChatClient(
            deps, retry=retry, on_event=events, redactor=redactor, agent="log_analyst"
        )
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.close()


def compatible(fake: FakeOpenAI, name: str, **kwargs: Any) -> ProviderConfig:
    return ProviderConfig(
        name=name, kind="openai_compatible", model="test-model", base_url=fake.base_url(name), **kwargs
    )


def user(text: str) -> list[UserMessage]:
    return [UserMessage(content=text, source="user")]


# --- settings ------------------------------------------------------------------------------------


class _ServiceSettings(BaseSettings):
    """How the service's Settings embeds LLMSettings."""

    model_config = SettingsConfigDict(env_prefix="OPSCOPILOT_", env_nested_delimiter="__")
    llm: LLMSettings = Field(default_factory=LLMSettings)


def test_settings_come_from_env_json(monkeypatch: pytest.MonkeyPatch) -> None:
    deployments = [
        {"name": "ptu", "kind": "azure_openai", "model": "gpt-4o", "endpoint": "https://r.openai.azure.com",
         "deployment": "gpt4o-ptu", "price": {"input": 0, "output": 0}},
        {"name": "paygo", "kind": "azure_openai", "model": "gpt-4o", "endpoint": "https://r.openai.azure.com",
         "api_key": "k"},
        {"name": "mini", "kind": "openai", "model": "gpt-4o-mini", "api_key": "sk-x"},
    ]  # fmt: skip
    monkeypatch.setenv("OPSCOPILOT_LLM__DEPLOYMENTS", json.dumps(deployments))
    monkeypatch.setenv("OPSCOPILOT_LLM__AGENTS", '{"router": ["mini", "paygo"]}')
    monkeypatch.setenv("OPSCOPILOT_LLM__PRICES", '{"my-model": {"input": 0.001, "output": 0.002}}')
    monkeypatch.setenv("OPSCOPILOT_LLM__RETRY__MAX_ATTEMPTS", "5")

    llm = _ServiceSettings().llm

    assert llm.enabled
    assert [d.name for d in llm.deployments_for("router")] == ["mini", "paygo"]
    assert [d.name for d in llm.deployments_for("log_analyst")] == ["ptu", "paygo", "mini"]
    assert llm.deployments[0].api_key is None  # Entra ID
    assert llm.deployments[1].api_key is not None and llm.deployments[1].api_key.get_secret_value() == "k"
    assert llm.retry.max_attempts == 5 and llm.retry.max_wait == 20.0
    assert llm.prices["my-model"] == Price(input=0.001, output=0.002)
    assert llm.prices["gpt-4o"] == DEFAULT_PRICES["gpt-4o"]  # defaults kept
    assert llm.price_of(llm.deployments[0]) == Price(input=0, output=0)  # per-deployment override
    assert llm.price_of(llm.deployments[1]) == DEFAULT_PRICES["gpt-4o"]
    assert not _ServiceSettings().model_copy(update={"llm": LLMSettings()}).llm.enabled


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"deployments": [{"name": "a", "kind": "azure_openai", "model": "gpt-4o"}]}, "needs endpoint"),
        ({"deployments": [{"name": "a", "kind": "openai", "model": "gpt-4o"}]}, "needs api_key"),
        ({"deployments": [{"name": "a", "kind": "openai_compatible", "model": "m"}]}, "needs base_url"),
        ({"deployments": [{"name": "a", "kind": "openai", "model": "m", "api_key": "k", "endpiont": "x"}]}, "endpiont"),
        ({"deployments": [{"name": "a", "kind": "openai", "model": "m", "api_key": "k", "create_args": {"model": "x"}}]},
         "unsupported create_args"),
        ({"deployments": [{"name": "a", "kind": "openai", "model": "m", "api_key": "k"}] * 2}, "unique"),
        ({"agents": {"router": ["nope"]}}, "unknown deployments"),
        ({"agents": {"routr": []}}, "unknown agent"),
    ],
)  # fmt: skip
def test_settings_reject_misconfiguration(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LLMSettings.model_validate(settings)


def test_prices_match_the_longest_prefix() -> None:
    assert price_for(DEFAULT_PRICES, "gpt-4o-2024-08-06") == DEFAULT_PRICES["gpt-4o"]
    assert price_for(DEFAULT_PRICES, "gpt-4o-mini-2024-07-18") == DEFAULT_PRICES["gpt-4o-mini"]
    assert price_for(DEFAULT_PRICES, "llama-3") is None
    assert Price(input=0.5, output=1.5).cost(1200, 300) == pytest.approx(1.05)


# --- clients -------------------------------------------------------------------------------------


async def test_built_clients_leave_retries_to_us(fake: FakeOpenAI) -> None:
    azure = ProviderConfig(
        name="z",
        kind="azure_openai",
        model="gpt-4o",
        endpoint="https://r.openai.azure.com",
        api_key=SecretStr("k"),
    )
    for cfg in (compatible(fake, "d1", timeout=7), azure):
        client = build_client(cfg)
        try:
            sdk = client._client  # type: ignore[attr-defined]  # autogen passes max_retries to the SDK
            assert sdk.max_retries == 0
            assert sdk.timeout == cfg.timeout
        finally:
            await client.close()


async def test_azure_with_key_sends_the_azure_request(fake: FakeOpenAI, make: Make) -> None:
    cfg = ProviderConfig(
        name="ptu", kind="azure_openai", model="gpt-4o-mini", endpoint=f"http://127.0.0.1:{fake.port}",
        deployment="mini-ptu", api_key=SecretStr("azure-key"), create_args={"temperature": 0.1},
    )  # fmt: skip
    result = await make(cfg).create(user("hello"))

    (req,) = fake.requests
    assert req["path"] == "/openai/deployments/mini-ptu/chat/completions"
    assert req["query"] == {"api-version": "2024-10-21"}
    assert req["headers"]["api-key"] == "azure-key"
    assert "Authorization" not in req["headers"]
    assert req["body"]["model"] == "gpt-4o-mini" and req["body"]["temperature"] == 0.1
    assert result.content == "echo: hello"


class FakeCredential:
    """An AsyncTokenCredential that hands out a fixed token and records the scopes asked for."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []
        self.closed = False

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes.append(scopes)
        return AccessToken("entra-token", 4_102_444_800)

    async def close(self) -> None:
        self.closed = True


async def test_azure_without_key_uses_entra_id(fake: FakeOpenAI) -> None:
    credential = FakeCredential()
    settings = LLMSettings(
        deployments=[
            ProviderConfig(
                name="ptu", kind="azure_openai", model="gpt-4o", endpoint=f"http://127.0.0.1:{fake.port}"
            )
        ]
    )
    providers = LLMProviders(settings, credential=credential)  # type: ignore[arg-type]
    try:
        await providers.client("router").create(user("hi"))
    finally:
        await providers.close()

    assert fake.requests[0]["headers"]["Authorization"] == "Bearer entra-token"
    assert "api-key" not in fake.requests[0]["headers"]
    assert credential.scopes == [("https://cognitiveservices.azure.com/.default",)]
    assert not credential.closed  # not ours to close


async def test_keyless_azure_client_owns_and_closes_its_default_credential() -> None:
    client = build_client(
        ProviderConfig(name="a", kind="azure_openai", model="gpt-4o", endpoint="https://r.openai.azure.com")
    )
    credential = client._credential  # type: ignore[attr-defined]
    assert type(credential).__name__ == "DefaultAzureCredential"
    await client.close()  # closes the credential too: no unclosed-session warning (warnings are errors)


# --- retries and fallback ------------------------------------------------------------------------


async def test_429_waits_what_retry_after_ms_says(fake: FakeOpenAI, make: Make) -> None:
    fake.script("d1", Reply(429, {"retry-after-ms": "20"}))
    events = Events()
    result = await make("d1", events=events).create(user("hi"))

    assert result.content == "echo: hi"
    assert events.kinds() == ["llm.retry", "llm.call"]
    retry = events.of("llm.retry")[0]
    assert retry | {"message": ""} == {
        "agent": "log_analyst", "deployment": "d1", "model": "test-model", "error": "RateLimitError",
        "status": 429, "message": "", "attempt": 1, "max_attempts": 3, "wait_s": 0.02, "retry_after_s": 0.02,
    }  # fmt: skip
    assert events.of("llm.call")[0]["attempts"] == 2


async def test_retry_after_is_capped_at_max_wait(fake: FakeOpenAI, make: Make) -> None:
    fake.script("d1", Reply(429, {"retry-after": "30"}))
    events = Events()
    await make("d1", events=events).create(user("hi"))

    assert events.of("llm.retry")[0]["retry_after_s"] == 30.0
    assert events.of("llm.retry")[0]["wait_s"] == FAST.max_wait


async def test_503_twice_then_ok_backs_off(fake: FakeOpenAI, make: Make) -> None:
    fake.script("d1", Reply(503), Reply(503))
    events = Events()
    result = await make("d1", events=events).create(user("hi"))

    assert result.content == "echo: hi"
    assert len(fake.requests) == 3
    retries = events.of("llm.retry")
    assert [(r["attempt"], r["status"], r["error"]) for r in retries] == [
        (1, 503, "InternalServerError"),
        (2, 503, "InternalServerError"),
    ]
    assert retries[0]["wait_s"] == 0.001 and retries[1]["wait_s"] == 0.002  # exponential, no hint
    assert events.of("llm.call")[0]["attempts"] == 3


async def test_refused_connection_falls_back_to_the_next_deployment(fake: FakeOpenAI, make: Make) -> None:
    dead = ProviderConfig(
        name="ptu",
        kind="openai_compatible",
        model="test-model",
        base_url=f"http://127.0.0.1:{free_port()}/v1",
    )
    events = Events()
    result = await make(dead, "paygo", events=events).create(user("hi"))

    assert result.content == "echo: hi"
    assert events.kinds() == ["llm.retry", "llm.retry", "llm.fallback", "llm.call"]
    assert {r["error"] for r in events.of("llm.retry")} == {"APIConnectionError"}
    fallback = events.of("llm.fallback")[0]
    assert (fallback["deployment"], fallback["to"], fallback["error"]) == (
        "ptu",
        "paygo",
        "APIConnectionError",
    )
    call = events.of("llm.call")[0]
    assert (call["deployment"], call["fallbacks"], call["attempts"]) == ("paygo", 1, 1)


async def test_every_deployment_failing_raises_all_providers_failed(fake: FakeOpenAI, make: Make) -> None:
    fake.script("d1", *[Reply(503)] * 3)
    fake.script("d2", *[Reply(429)] * 3)
    events = Events()
    with pytest.raises(AllProvidersFailed, match=r"d1: InternalServerError.*d2: RateLimitError") as info:
        await make("d1", "d2", events=events).create(user("hi"))

    assert len(fake.bodies("d1")) == len(fake.bodies("d2")) == FAST.max_attempts
    assert events.kinds() == ["llm.retry"] * 2 + ["llm.fallback"] + ["llm.retry"] * 2
    assert isinstance(info.value.__cause__, Exception) and "429" in str(info.value.__cause__)


async def test_auth_error_skips_the_deployment_without_retrying(fake: FakeOpenAI, make: Make) -> None:
    fake.script("d1", Reply(401))
    events = Events()
    await make("d1", "d2", events=events).create(user("hi"))

    assert len(fake.bodies("d1")) == 1 and len(fake.bodies("d2")) == 1
    assert events.kinds() == ["llm.fallback", "llm.call"]
    assert events.of("llm.fallback")[0]["status"] == 401


async def test_bad_request_raises_provider_error_without_fallback(fake: FakeOpenAI, make: Make) -> None:
    fake.script("d1", Reply(400))
    events = Events()
    with pytest.raises(ProviderError, match="refused the request: 400") as info:
        await make("d1", "d2", events=events).create(user("hi"))

    assert not isinstance(info.value, AllProvidersFailed)
    assert len(fake.requests) == 1 and events == []


# --- streaming -----------------------------------------------------------------------------------


async def collect(
    client: ResilientChatClient, messages: Any, **kwargs: Any
) -> tuple[list[str], CreateResult]:
    items = [item async for item in client.create_stream(messages, **kwargs)]
    *chunks, final = items
    assert all(isinstance(c, str) for c in chunks) and isinstance(final, CreateResult)
    return chunks, final  # type: ignore[return-value]


async def test_stream_yields_chunks_then_result_with_usage(fake: FakeOpenAI, make: Make) -> None:
    fake.script("d1", Reply(text="The endpoint is healthy.", usage=(40, 6)))
    events = Events()
    chunks, final = await collect(make("d1", events=events), user("status?"))

    assert len(chunks) > 3 and "".join(chunks) == final.content == "The endpoint is healthy."
    assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (40, 6)
    assert fake.requests[0]["body"]["stream_options"] == {"include_usage": True}  # asked for by default
    call = events.of("llm.call")[0]
    assert call["stream"] is True and call["prompt_tokens"] == 40 and call["finish_reason"] == "stop"
    assert 0 <= call["ttft_ms"] <= call["latency_ms"]


async def test_stream_retries_and_falls_back_before_the_first_chunk(fake: FakeOpenAI, make: Make) -> None:
    fake.script("d1", Reply(503), Reply(503), Reply(503))
    fake.script("d2", Reply(429, {"retry-after-ms": "1"}))
    events = Events()
    chunks, final = await collect(make("d1", "d2", events=events), user("hi"))

    assert "".join(chunks) == final.content == "echo: hi"
    assert events.kinds() == ["llm.retry", "llm.retry", "llm.fallback", "llm.retry", "llm.call"]


async def test_stream_broken_after_the_first_chunk_is_not_retried(fake: FakeOpenAI, make: Make) -> None:
    fake.script("d1", Reply(text="a long answer that will be cut", break_after=2))
    events = Events()
    received: list[str | CreateResult] = []
    with pytest.raises(ProviderError, match="stream broke") as info:
        async for item in make("d1", "d2", events=events).create_stream(user("hi")):
            received.append(item)

    assert received == ["a lo", "ng a"]
    assert type(info.value.__cause__).__name__ == "APIConnectionError"
    assert len(fake.requests) == 1 and events == []


# --- redaction -----------------------------------------------------------------------------------


def conversation() -> list[Any]:
    return [
        SystemMessage(content=f"You triage incidents for the cluster at {IP}."),
        UserMessage(content=f"Mail {EMAIL} about host {IP}; our key is {KEY}", source="user"),
        AssistantMessage(content=[FunctionCall(id="c1", name="search_logs", arguments=json.dumps({"host": IP}))], source="a"),
        FunctionExecutionResultMessage(
            content=[FunctionExecutionResult(content=f"owner: {EMAIL}", name="search_logs", call_id="c1")]
        ),
        UserMessage(content=f"Write to {EMAIL} please", source="user"),
    ]  # fmt: skip


async def test_nothing_leaves_unredacted_and_the_reply_is_restored(fake: FakeOpenAI, make: Make) -> None:
    session = RedactionSession()
    messages = conversation()
    result = await make("d1", redactor=session).create(messages)

    wire = json.dumps(fake.requests[0]["body"])
    for secret in (EMAIL, IP, KEY):
        assert secret not in wire
    assert "<EMAIL_1>" in wire and "<IP_1>" in wire and "<SECRET_1>" in wire
    assert result.content == f"echo: Write to {EMAIL} please"  # the model saw <EMAIL_1>; we get it back
    assert messages == conversation()  # the caller's messages are untouched


async def test_streamed_reply_is_restored_across_chunk_boundaries(fake: FakeOpenAI, make: Make) -> None:
    session = RedactionSession()
    chunks, final = await collect(make("d1", redactor=session), user(f"ping {IP} and {EMAIL}"))

    assert EMAIL not in json.dumps(fake.requests[0]["body"])
    assert "".join(chunks) == final.content == f"echo: ping {IP} and {EMAIL}"


async def test_tool_call_arguments_are_restored_as_valid_json(fake: FakeOpenAI, make: Make) -> None:
    session = RedactionSession()
    secret = r"ab\cd"  # a backslash: must be escaped when restored inside JSON
    args = '{"to": "<EMAIL_1>", "password": "<SECRET_1>"}'
    fake.script("d1", Reply(tool_call=("notify", args)))
    result = await make("d1", redactor=session).create(user(f"tell {EMAIL}, password={secret}"))

    assert isinstance(result.content, list)
    assert json.loads(result.content[0].arguments) == {"to": EMAIL, "password": secret}


async def test_json_schema_output_passes_through_and_is_restored(fake: FakeOpenAI, make: Make) -> None:
    schema = {"type": "object", "properties": {"owner": {"type": "string"}}, "required": ["owner"]}
    fmt = {"type": "json_schema", "json_schema": {"name": "owner", "strict": True, "schema": schema}}
    fake.script("d1", Reply(text='{"owner": "<EMAIL_1>"}'))
    result = await make("d1", redactor=RedactionSession()).create(
        user(f"who owns {EMAIL}?"), extra_create_args={"response_format": fmt, "temperature": 0}
    )

    assert fake.requests[0]["body"]["response_format"] == fmt
    assert json.loads(str(result.content)) == {"owner": EMAIL}


async def test_json_mode_is_requested(fake: FakeOpenAI, make: Make) -> None:
    await make("d1").create(user("json please"), json_output=True)

    assert fake.requests[0]["body"]["response_format"] == {"type": "json_object"}


# --- usage and cost ------------------------------------------------------------------------------


async def test_usage_and_cost_accumulate_per_model(fake: FakeOpenAI, make: Make) -> None:
    fake.script("d1", Reply(usage=(1200, 300)), Reply(503), Reply(503), Reply(503))
    fake.script("d2", Reply(usage=(100, 50)))
    events = Events()
    client = make("d1", compatible(fake, "d2").model_copy(update={"model": "small"}), events=events,
                  prices={"test-model": Price(input=0.5, output=1.5)})  # fmt: skip

    await client.create(user("one"))
    await client.create(user("two"))  # d1 fails three times: served by d2, which has no price

    assert [e["cost_usd"] for e in events.of("llm.call")] == [pytest.approx(1.05), None]
    assert client.usage_summary() == {
        "test-model": {"calls": 1, "prompt_tokens": 1200, "completion_tokens": 300, "cost_usd": 1.05,
                       "unpriced_calls": 0, "deployments": {"d1": 1}},
        "small": {"calls": 1, "prompt_tokens": 100, "completion_tokens": 50, "cost_usd": 0.0,
                  "unpriced_calls": 1, "deployments": {"d2": 1}},
    }  # fmt: skip
    assert (client.total_usage().prompt_tokens, client.total_usage().completion_tokens) == (1300, 350)
    assert client.actual_usage() == client.total_usage()


# --- LLMProviders and the interface --------------------------------------------------------------


def replay(name: str, **kwargs: Any) -> ChatCompletionClient:
    info = {
        "vision": False,
        "function_calling": True,
        "json_output": True,
        "family": "unknown",
        "structured_output": False,
    }
    return ReplayChatCompletionClient([f"from {name}"] * 5, model_info=info | kwargs)  # type: ignore[arg-type]


async def test_providers_give_each_agent_its_deployments_and_share_clients() -> None:
    settings = LLMSettings(
        deployments=[
            ProviderConfig(name="ptu", kind="openai_compatible", model="m", base_url="http://127.0.0.1:9/v1"),
            ProviderConfig(
                name="mini", kind="openai_compatible", model="m", base_url="http://127.0.0.1:9/v1"
            ),
        ],
        agents={"router": ["mini"]},
    )
    closed: list[str] = []

    def build(cfg: ProviderConfig, *, credential: object) -> ChatCompletionClient:
        client = replay(cfg.name)
        real_close = client.close

        async def close() -> None:
            closed.append(cfg.name)
            await real_close()

        client.close = close  # type: ignore[method-assign]
        return client

    providers = LLMProviders(settings, build=build)
    meter = UsageMeter()
    router, analyst = providers.client("router", usage=meter), providers.client("log_analyst", usage=meter)

    assert [d.name for d in router.deployments] == ["mini"]
    assert [d.name for d in analyst.deployments] == ["ptu", "mini"]
    assert router.redactor is not None and router.redactor is not analyst.redactor  # redaction on by default
    assert (await router.create(user("x"))).content == "from mini"
    assert (await analyst.create(user("x"))).content == "from ptu"
    assert sum(m["calls"] for m in meter.summary().values()) == 2  # one meter for the run

    await router.close()
    assert closed == []  # shared clients stay open
    await providers.close()
    assert closed == ["ptu", "mini"]
    with pytest.raises(ValueError, match="no LLM deployment"):
        LLMProviders(LLMSettings())


async def test_model_info_is_what_every_deployment_can_do() -> None:
    deps = [
        Deployment("a", "m", replay("a", vision=True, family="gpt-4o", structured_output=True)),
        Deployment("b", "m", replay("b", vision=False)),
    ]
    client = ResilientChatClient(deps)
    try:
        info = client.model_info
        assert info["family"] == "gpt-4o"
        assert (info["vision"], info["function_calling"], info["structured_output"]) == (False, True, False)
        assert client.capabilities == {"vision": False, "function_calling": True, "json_output": True}
        assert client.count_tokens(user("hello there")) > 0
    finally:
        await client.close()


async def test_cancelled_token_stops_before_calling(fake: FakeOpenAI, make: Make) -> None:
    from autogen_core import CancellationToken

    token = CancellationToken()
    token.cancel()
    with pytest.raises(asyncio.CancelledError):
        await make("d1").create(user("hi"), cancellation_token=token)
    assert fake.requests == []
