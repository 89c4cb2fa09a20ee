"""One agent's ordered LLM deployments behind AutoGen's ``ChatCompletionClient`` interface.

Per call, :class:`ResilientChatClient`:

1. redacts every outgoing message (system, user, assistant, tool calls and results) when it holds a
   redaction session, and restores the placeholders in the model's output;
2. tries the deployments in order. On one deployment it retries 429, 408, 409, 5xx, timeouts and
   connection errors (tenacity), waiting what ``retry-after-ms`` / ``retry-after`` says, capped at
   ``max_wait``, else exponential backoff with jitter; after ``max_attempts`` it falls to the next;
3. skips a deployment without retrying on 401, 403 and 404 (that deployment is misconfigured);
4. raises :class:`ProviderError` on any other API error (400, 422...): another deployment would
   refuse the same request; other exceptions (autogen's argument checks) pass through as they are;
5. raises :class:`AllProvidersFailed` when every deployment failed.

A stream is retried and falls back only until its first chunk; a failure after that raises
:class:`ProviderError`. Each retry, fallback and finished call is passed to ``on_event(kind, data)``
as ``llm.retry``, ``llm.fallback`` and ``llm.call``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal, TypeVar

import openai
from autogen_core import CancellationToken
from autogen_core.models import (
    ChatCompletionClient,
    CreateResult,
    LLMMessage,
    ModelCapabilities,  # type: ignore[attr-defined]  # deprecated, still abstract in 0.7.5
    ModelInfo,
    RequestUsage,
)
from autogen_core.tools import Tool, ToolSchema
from pydantic import BaseModel
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from tools.safety import RedactionSession, StreamRestorer, redact_messages, restore

from ._errors import AllProvidersFailed, ProviderError
from ._llm_settings import RetryPolicy
from ._usage import Price, UsageMeter

__all__ = ["Deployment", "EventCallback", "ResilientChatClient", "RetryPolicy", "is_retryable", "retry_after"]

EventCallback = Callable[[str, dict[str, Any]], Awaitable[None]]
T = TypeVar("T")

RETRY_STATUSES = frozenset({408, 409, 429})
SKIP_STATUSES = frozenset({401, 403, 404})
_CAPABILITIES = ("vision", "function_calling", "json_output", "structured_output", "multiple_system_messages")


@dataclasses.dataclass(frozen=True)
class Deployment:
    """One built client and what the resilient layer needs to know about it."""

    name: str
    model: str
    client: ChatCompletionClient
    price: Price | None = None
    context_window: int | None = None
    stream_usage: bool = True  # ask for the usage chunk at the end of streams


def _status(exc: BaseException) -> int | None:
    return exc.status_code if isinstance(exc, openai.APIStatusError) else None


def is_retryable(exc: BaseException) -> bool:
    """Transient: rate limited, server error, timeout or connection failure."""
    if isinstance(exc, openai.APIConnectionError):  # APITimeoutError included
        return True
    status = _status(exc)
    return status is not None and (status in RETRY_STATUSES or status >= 500)


def retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, else ``retry-after``), if it did."""
    if not isinstance(exc, openai.APIStatusError):
        return None
    headers = exc.response.headers
    try:
        if ms := headers.get("retry-after-ms"):
            return max(0.0, float(ms) / 1000)
        if value := headers.get("retry-after"):
            try:
                return max(0.0, float(value))
            except ValueError:
                return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (ValueError, TypeError):
        return None
    return None


class _Wait:
    """Retry-After when the server sent one, else exponential backoff with jitter; capped."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        wait = retry_after(exc) if exc is not None and self.policy.honour_retry_after else None
        if wait is None:
            backoff = self.policy.initial_wait * 2 ** (state.attempt_number - 1)
            wait = backoff + random.uniform(0, self.policy.jitter)  # noqa: S311 - not crypto
        return min(wait, self.policy.max_wait)


def _json_mode(json_output: bool | type[BaseModel] | None, extra: Mapping[str, Any]) -> bool:
    fmt = extra.get("response_format")
    return (
        json_output is True
        or isinstance(json_output, type)
        or isinstance(fmt, type)
        or (isinstance(fmt, Mapping) and fmt.get("type") in ("json_object", "json_schema"))
    )


class ResilientChatClient(ChatCompletionClient):
    """Retries, fallback, redaction, usage and cost around ordered deployments (see module doc).

    ``owns_clients``: whether :meth:`close` closes the deployments' clients (False when they are
    shared, e.g. handed out by :class:`LLMProviders`, which closes them itself).
    """

    def __init__(
        self,
        deployments: Sequence[Deployment],
        *,
        retry: RetryPolicy | None = None,
        on_event: EventCallback | None = None,
        redactor: RedactionSession | None = None,
        usage: UsageMeter | None = None,
        agent: str | None = None,
        owns_clients: bool = True,
    ) -> None:
        if not deployments:
            raise ValueError("ResilientChatClient needs at least one deployment")
        self.deployments = tuple(deployments)
        self.retry = retry or RetryPolicy()
        self.on_event = on_event
        self.redactor = redactor
        self.usage = usage or UsageMeter()
        self.agent = agent
        self._owns_clients = owns_clients
        self._closed = False
        self._total = RequestUsage(prompt_tokens=0, completion_tokens=0)
        self._wait = _Wait(self.retry)
        self._model_info = _common_model_info([d.client.model_info for d in self.deployments])

    # --- calls -----------------------------------------------------------------------------------

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],  # noqa: B006 - the interface's signature
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},  # noqa: B006
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        outgoing = self._redact(messages)
        json_mode = _json_mode(json_output, extra_create_args)
        failures: list[tuple[Deployment, BaseException]] = []
        for index, dep in enumerate(self.deployments):
            began = time.perf_counter()

            def call(dep: Deployment = dep) -> Awaitable[CreateResult]:
                return dep.client.create(
                    outgoing,
                    tools=tools,
                    tool_choice=tool_choice,
                    json_output=json_output,
                    extra_create_args=extra_create_args,
                    cancellation_token=cancellation_token,
                )

            try:
                result, attempts = await self._with_retries(dep, call, cancellation_token)
            except Exception as exc:
                if not await self._fall_back(index, dep, exc, failures):
                    raise
                continue
            await self._record(index, dep, result, began, attempts, stream=False)
            return self._restore(result, json_mode)
        raise self._all_failed(failures)

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],  # noqa: B006
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},  # noqa: B006
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        outgoing = self._redact(messages)
        json_mode = _json_mode(json_output, extra_create_args)
        failures: list[tuple[Deployment, BaseException]] = []
        for index, dep in enumerate(self.deployments):
            began = time.perf_counter()
            args = dict(extra_create_args)
            if dep.stream_usage and "stream_options" not in args:
                args["stream_options"] = {"include_usage": True}

            def open_stream(dep: Deployment = dep, args: dict[str, Any] = args) -> Awaitable[Any]:
                return _first_item(
                    dep.client.create_stream(
                        outgoing,
                        tools=tools,
                        tool_choice=tool_choice,
                        json_output=json_output,
                        extra_create_args=args,
                        cancellation_token=cancellation_token,
                    )
                )

            try:
                (stream, first), attempts = await self._with_retries(dep, open_stream, cancellation_token)
            except Exception as exc:
                if not await self._fall_back(index, dep, exc, failures):
                    raise
                continue
            ttft = time.perf_counter() - began
            restorer = self._stream_restorer(json_mode)
            try:
                item = first
                while not isinstance(item, CreateResult):
                    text = restorer.feed(item) if restorer else item
                    if text:
                        yield text
                    item = await stream.__anext__()
            except (openai.APIError, StopAsyncIteration) as exc:
                raise ProviderError(
                    f"deployment {dep.name!r}: the stream broke after it had started"
                ) from exc
            finally:
                await stream.aclose()
            if restorer and (tail := restorer.flush()):
                yield tail
            await self._record(index, dep, item, began, attempts, stream=True, ttft=ttft)
            yield self._restore(item, json_mode)
            return
        raise self._all_failed(failures)

    async def _with_retries(
        self, dep: Deployment, call: Callable[[], Awaitable[T]], token: CancellationToken | None
    ) -> tuple[T, int]:
        async def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            assert exc is not None
            await self._emit(
                "llm.retry",
                {
                    **self._where(dep),
                    **_describe(exc),
                    "attempt": state.attempt_number,
                    "max_attempts": self.retry.max_attempts,
                    "wait_s": round(state.upcoming_sleep, 3),
                    "retry_after_s": retry_after(exc),
                },
            )

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retry.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(is_retryable),
            before_sleep=before_sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if token is not None and token.is_cancelled():
                    raise asyncio.CancelledError
                return await call(), attempt.retry_state.attempt_number
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    async def _fall_back(
        self, index: int, dep: Deployment, exc: Exception, failures: list[tuple[Deployment, BaseException]]
    ) -> bool:
        """Whether to try the next deployment after ``exc``; raises ProviderError for a bad request."""
        status = _status(exc)
        if not is_retryable(exc) and status not in SKIP_STATUSES:
            if status is not None:
                raise ProviderError(f"deployment {dep.name!r} refused the request: {status} {exc}") from exc
            return False
        failures.append((dep, exc))
        if index + 1 < len(self.deployments):
            nxt = self.deployments[index + 1]
            await self._emit("llm.fallback", {**self._where(dep), **_describe(exc), "to": nxt.name})
        return True

    def _all_failed(self, failures: list[tuple[Deployment, BaseException]]) -> AllProvidersFailed:
        detail = "; ".join(
            f"{d.name}: {_describe(e)['error']} {_describe(e)['message']}" for d, e in failures
        )
        error = AllProvidersFailed(f"every LLM deployment failed ({detail})")
        error.__cause__ = failures[-1][1] if failures else None
        return error

    # --- redaction -------------------------------------------------------------------------------

    def _redact(self, messages: Sequence[LLMMessage]) -> list[LLMMessage]:
        if self.redactor is None:
            return list(messages)
        return redact_messages(messages, self.redactor).messages

    def _mappings(self) -> tuple[Mapping[str, str], dict[str, str]]:
        plain = self.redactor.mapping if self.redactor is not None else {}
        # inside JSON (structured output, tool-call arguments) an original must be JSON-escaped
        escaped = {ph: json.dumps(v, ensure_ascii=False)[1:-1] for ph, v in plain.items()}
        return plain, escaped

    def _restore(self, result: CreateResult, json_mode: bool) -> CreateResult:
        if self.redactor is None or not len(self.redactor):
            return result
        plain, escaped = self._mappings()
        if isinstance(result.content, str):
            content: Any = restore(result.content, escaped if json_mode else plain)
        else:
            content = [
                dataclasses.replace(c, arguments=restore(c.arguments, escaped)) for c in result.content
            ]
        thought = restore(result.thought, plain) if result.thought else result.thought
        return result.model_copy(update={"content": content, "thought": thought})

    def _stream_restorer(self, json_mode: bool) -> StreamRestorer | None:
        if self.redactor is None or not len(self.redactor):
            return None
        plain, escaped = self._mappings()
        return StreamRestorer(escaped if json_mode else plain)

    # --- accounting ------------------------------------------------------------------------------

    def _where(self, dep: Deployment) -> dict[str, Any]:
        return {"agent": self.agent, "deployment": dep.name, "model": dep.model}

    async def _emit(self, kind: str, data: dict[str, Any]) -> None:
        if self.on_event is not None:
            await self.on_event(kind, data)

    async def _record(
        self,
        index: int,
        dep: Deployment,
        result: CreateResult,
        began: float,
        attempts: int,
        *,
        stream: bool,
        ttft: float | None = None,
    ) -> None:
        prompt, completion = result.usage.prompt_tokens, result.usage.completion_tokens
        cost = dep.price.cost(prompt, completion) if dep.price is not None else None
        self.usage.record(
            model=dep.model,
            deployment=dep.name,
            prompt_tokens=prompt,
            completion_tokens=completion,
            cost_usd=cost,
        )
        self._total = RequestUsage(
            self._total.prompt_tokens + prompt, self._total.completion_tokens + completion
        )
        data = {
            **self._where(dep),
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "latency_ms": round((time.perf_counter() - began) * 1000, 1),
            "finish_reason": result.finish_reason,
            "cost_usd": None if cost is None else round(cost, 8),
            "attempts": attempts,
            "fallbacks": index,
            "stream": stream,
        }
        if ttft is not None:
            data["ttft_ms"] = round(ttft * 1000, 1)
        await self._emit("llm.call", data)

    def usage_summary(self) -> dict[str, dict[str, Any]]:
        """Tokens and cost per model (see :meth:`UsageMeter.summary`)."""
        return self.usage.summary()

    def actual_usage(self) -> RequestUsage:
        return self._total

    def total_usage(self) -> RequestUsage:
        return self._total

    # --- the rest of the interface ---------------------------------------------------------------

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []) -> int:  # noqa: B006
        try:
            return self.deployments[0].client.count_tokens(messages, tools=tools)
        except Exception:  # autogen counts with tiktoken, whose encodings are a download on first use
            text = "".join(str(getattr(m, "content", "")) for m in messages) + "".join(map(str, tools))
            return len(text) // 4 + 4 * len(messages)

    def remaining_tokens(
        self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []
    ) -> int:  # noqa: B006
        primary = self.deployments[0]
        if primary.context_window is not None:
            return primary.context_window - self.count_tokens(messages, tools=tools)
        return primary.client.remaining_tokens(messages, tools=tools)  # KeyError for unknown models

    @property
    def capabilities(self) -> ModelCapabilities:  # type: ignore[override]
        info = self._model_info  # a plain dict: calling the @deprecated TypedDict would warn
        return {
            "vision": info["vision"],
            "function_calling": info["function_calling"],
            "json_output": info["json_output"],
        }

    @property
    def model_info(self) -> ModelInfo:
        """The primary deployment's family; a capability only if every deployment has it."""
        return self._model_info

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._owns_clients:
            for dep in self.deployments:
                await dep.client.close()


async def _first_item(stream: AsyncGenerator[str | CreateResult, None]) -> tuple[Any, str | CreateResult]:
    """Start a stream: the request happens on the first ``__anext__``. Closes it on failure."""
    try:
        return stream, await stream.__anext__()
    except StopAsyncIteration:
        await stream.aclose()
        raise ProviderError("the model client ended the stream without a result") from None
    except BaseException:
        await stream.aclose()
        raise


def _describe(exc: BaseException) -> dict[str, Any]:
    return {"error": type(exc).__name__, "status": _status(exc), "message": str(exc)[:300]}


def _common_model_info(infos: list[ModelInfo]) -> ModelInfo:
    merged: dict[str, Any] = dict(infos[0])
    for key in _CAPABILITIES:
        if key in merged or key == "structured_output":
            merged[key] = all(bool(info.get(key, False)) for info in infos)
    return merged  # type: ignore[return-value]
