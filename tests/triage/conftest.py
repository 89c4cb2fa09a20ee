"""Fixtures of the log-analyst tests: a store, the fake triage model, and triagers over them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from agents import LLMProviders, LLMSettings, ProviderConfig, RetryPolicy
from store import SqliteBackend, Store
from tests.triage.fake_llm import FakeTriageModel
from tools.triage import LlmBackend, LogsConfig, Triager

APP_LOG = """2024-06-12 02:14:01 ERROR feature-client: Connection refused to feature-store:6379
2024-06-12 02:14:03 ERROR feature-client: Connection refused to feature-store:6380
2024-06-12 02:14:05 WARN feature-client: retrying in 2s
2024-06-12 02:15:05 ERROR auth: login failed for alice@contoso.com from 10.1.2.3 token=sk-abcdefghijklmnopqrstuvwx1234
2024-06-12 02:16:05 ERROR queue: broker rebalance stalled for topic orders
2024-06-12 02:16:06 ERROR queue: broker rebalance stalled for topic payments
2024-06-12 02:17:00 INFO api: request served in 12 ms
2024-06-12 02:17:01 INFO api: request served in 15 ms
"""
SECRETS = ("alice@contoso.com", "10.1.2.3", "sk-abcdefghijklmnopqrstuvwx1234")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(SqliteBackend(tmp_path / "triage.db"))
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def model() -> AsyncIterator[FakeTriageModel]:
    server = FakeTriageModel()
    await server.start()
    yield server
    await server.stop()


def llm_settings(model: FakeTriageModel) -> LLMSettings:
    return LLMSettings(
        deployments=[
            ProviderConfig(
                name="local", kind="openai_compatible", model="test-model", base_url=model.base_url
            )
        ],
        retry=RetryPolicy(max_attempts=1, initial_wait=0, jitter=0),
    )


@pytest.fixture
async def providers(model: FakeTriageModel) -> AsyncIterator[LLMProviders]:
    built = LLMProviders(llm_settings(model))
    yield built
    await built.close()


MakeTriager = Callable[..., Triager]


@pytest.fixture
def llm_triager(db: Store, providers: LLMProviders) -> MakeTriager:
    """``llm_triager(**config)``: an LLM-mode triager through the provider layer (as the service builds it)."""

    def make(**config: object) -> Triager:
        backend = LlmBackend(lambda session: providers.client("log_analyst", redactor=session), "test-model")
        return Triager(db, LogsConfig(**config), llm=backend)  # type: ignore[arg-type]

    return make
