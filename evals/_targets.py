"""What a run evaluates: a target answers one case for one variant.

* :class:`AgentTarget` — the agent team (or one agent) through the real :class:`AgentRuntime`,
  offline or with LLM clients, on a scratch store so evals never touch live conversations or
  approvals; variants are prompt variants (``agents/prompts/<agent>.yaml``).
* :class:`ChatTarget` — one system prompt per variant over any ``ChatCompletionClient``.
* :class:`EndpointTarget` — a deployed model endpoint over HTTP: OpenAI-compatible chat completions
  (a URL ending in ``/chat/completions``) or a JSON scoring endpoint (``{"input": ...}`` in,
  a string or ``{"output"|"answer"|"text": ...}`` out); a variant other than ``default`` names the
  deployment (Azure ML's ``azureml-model-deployment`` header).
* :class:`CallableTarget` — any ``async (case, variant) -> str | Output``.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import httpx
from autogen_core.models import ChatCompletionClient, SystemMessage, UserMessage

from store import Cond, Conversation, RunState, SqliteBackend, Store

from ._errors import EvalSpecError, TargetError
from ._scoring import Output
from .datasets import Case

__all__ = ["AgentTarget", "CallableTarget", "ChatTarget", "EndpointTarget", "Price", "Target"]

Price = tuple[float, float]  # USD per 1k prompt tokens, per 1k completion tokens


class Target(Protocol):
    name: str

    async def __call__(self, case: Case, variant: str) -> Output: ...

    async def aclose(self) -> None: ...


def _elapsed(started: float) -> float:
    return (time.perf_counter() - started) * 1000


class AgentTarget:
    """The team through ``AgentRuntime``; ``agent`` pins one agent, else each case's ``agent`` (or the
    router) decides."""

    def __init__(
        self,
        *,
        plugins: Callable[[Any], list[object]],
        skills: Mapping[str, Any],
        clients: Any = None,
        agent: str | None = None,
        tenant: str = "evals",
        user: str = "evaluator",
        store: Store | None = None,
    ) -> None:
        from agents import AGENTS

        if agent is not None and agent not in AGENTS:
            raise EvalSpecError(f"unknown agent {agent!r}; choose one of {', '.join(AGENTS)}")
        self.name = f"agent:{agent}" if agent else "agents"
        self.plugins, self.skills, self.clients = plugins, dict(skills), clients
        self.agent, self.tenant, self.user = agent, tenant, user
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._given = store
        self._free: list[Store] = []
        self._made: list[Store] = []
        self._lock = asyncio.Lock()

    async def _take(self) -> Store:
        """A scratch store of its own for each concurrent item: no contention on one tenant's audit
        chain or usage counters, and nothing written to the live store."""
        if self._given is not None:
            return self._given
        async with self._lock:
            if self._free:
                return self._free.pop()
            if self._tmp is None:
                self._tmp = tempfile.TemporaryDirectory(prefix="opscopilot-eval-")
            db = Store(SqliteBackend(Path(self._tmp.name) / f"scratch-{len(self._made)}.db"))
            await db.open()
            self._made.append(db)
            return db

    def _variants_for(self, agent: str | None, variant: str) -> dict[str, str]:
        if variant == "default":
            return {}
        from agents import AGENTS, ROUTER, Prompts

        prompts = Prompts()
        names = [agent] if agent else [ROUTER, *AGENTS]
        chosen = {a: variant for a in names if variant in prompts.available_variants(a)}
        if not chosen:
            raise EvalSpecError(f"no prompt variant {variant!r} for {agent or 'any agent'}")
        return chosen

    def check_variants(self, variants: Sequence[str], cases: Sequence[Case] = ()) -> None:
        """Raise :class:`EvalSpecError` now for a variant no agent of the run has."""
        agents = {self.agent} if self.agent else ({c.agent for c in cases} or {None})
        for variant in variants:
            for agent in agents:
                self._variants_for(agent, variant)

    async def __call__(self, case: Case, variant: str) -> Output:
        db = await self._take()
        try:
            return await self._run(db, case, variant)
        finally:
            if db is not self._given:
                self._free.append(db)

    async def _run(self, db: Store, case: Case, variant: str) -> Output:
        from agents import AgentRuntime

        agent = self.agent or case.agent
        runtime = AgentRuntime(
            db,
            plugins=self.plugins,
            skills=self.skills,
            clients=self.clients,
            prompt_variants=self._variants_for(agent, variant),
        )
        conv = await db.conversations.create(
            Conversation(tenant_id=self.tenant, user_id=self.user, title=f"eval {case.id}")
        )
        started = time.perf_counter()
        run = await runtime.start(self.tenant, self.user, conv.id, agent)
        run = await runtime.execute(run, case.message())
        latency = _elapsed(started)
        answers = await db.messages.all(
            self.tenant, where=[Cond("run_id", "=", run.id), Cond("role", "=", "assistant")]
        )
        usage = run.usage or {}
        if run.state == RunState.failed or not answers:
            raise TargetError(run.error or "the run produced no answer")
        meta = answers[-1].metadata
        return Output(
            answers[-1].content,
            latency,
            int(usage.get("prompt_tokens", 0)),
            int(usage.get("completion_tokens", 0)),
            float(usage.get("cost_usd", 0.0)),
            meta={"agent": answers[-1].agent, "mode": meta.get("mode"), "state": run.state.value},
        )

    async def aclose(self) -> None:
        for db in self._made:
            await db.close()
        self._made, self._free = [], []
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def _cost(price: Price | None, prompt: int, completion: int) -> float:
    return (prompt * price[0] + completion * price[1]) / 1000 if price else 0.0


class ChatTarget:
    """A system prompt per variant over one chat model: the way to compare prompt variants or models."""

    def __init__(
        self,
        client: ChatCompletionClient,
        systems: Mapping[str, str],
        *,
        name: str = "chat",
        price: Price | None = None,
    ) -> None:
        if not systems:
            raise EvalSpecError("a chat target needs at least one system prompt")
        self.client, self.systems, self.name, self.price = client, dict(systems), name, price

    @classmethod
    async def from_agent_prompts(
        cls, client: ChatCompletionClient, agent: str, variants: Sequence[str] | None = None, **kwargs: Any
    ) -> ChatTarget:
        """The agent's versioned prompt, one system prompt per variant (default: all of them)."""
        from agents import Prompts

        systems = {}
        for variant in variants or Prompts().available_variants(agent):
            prompts = Prompts(variants={agent: variant})
            await prompts.load([agent], tenant="evals")
            systems[variant] = prompts.render(agent)
        return cls(client, systems, name=f"prompt:{agent}", **kwargs)

    async def __call__(self, case: Case, variant: str) -> Output:
        if variant not in self.systems:
            raise EvalSpecError(f"no variant {variant!r}; have {', '.join(self.systems)}")
        started = time.perf_counter()
        result = await self.client.create(
            [SystemMessage(content=self.systems[variant]), UserMessage(content=case.message(), source="user")]
        )
        if not isinstance(result.content, str):
            raise TargetError("the model answered with a tool call, not text")
        p, c = result.usage.prompt_tokens, result.usage.completion_tokens
        return Output(result.content, _elapsed(started), p, c, _cost(self.price, p, c))

    async def aclose(self) -> None:
        return None


class EndpointTarget:
    """A deployed endpoint over HTTP (see the module docstring for the two protocols)."""

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        model: str | None = None,
        timeout: float = 60.0,
        price: Price | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url, self.model, self.price, self.name = url, model, price, f"endpoint:{url}"
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(timeout=timeout, headers=headers, transport=transport)

    def _body(self, case: Case, variant: str) -> dict[str, Any]:
        if self.url.rstrip("/").endswith("/chat/completions"):
            return {"model": self.model or variant, "messages": [{"role": "user", "content": case.message()}]}
        return {"input": case.message(), "case_id": case.id}

    async def __call__(self, case: Case, variant: str) -> Output:
        headers = {"azureml-model-deployment": variant} if variant != "default" else {}
        started = time.perf_counter()
        try:
            response = await self._http.post(self.url, json=self._body(case, variant), headers=headers)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise TargetError(f"endpoint call failed: {type(exc).__name__}: {exc}") from exc
        latency = _elapsed(started)
        usage = data.get("usage", {}) if isinstance(data, dict) else {}
        p, c = int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
        return Output(_text(data), latency, p, c, _cost(self.price, p, c))

    async def aclose(self) -> None:
        await self._http.aclose()


def _text(data: Any) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, list) and data:
        return _text(data[0])
    if isinstance(data, dict):
        if data.get("choices"):
            return str(data["choices"][0].get("message", {}).get("content") or "")
        for key in ("output", "answer", "text", "prediction"):
            if key in data:
                return _text(data[key]) if not isinstance(data[key], str | int | float) else str(data[key])
    raise TargetError(f"cannot read an answer from the endpoint's reply: {str(data)[:120]}")


class CallableTarget:
    def __init__(self, fn: Callable[[Case, str], Awaitable[str | Output]], name: str = "callable") -> None:
        self.fn, self.name = fn, name

    async def __call__(self, case: Case, variant: str) -> Output:
        started = time.perf_counter()
        result = await self.fn(case, variant)
        return result if isinstance(result, Output) else Output(result, _elapsed(started))

    async def aclose(self) -> None:
        return None
