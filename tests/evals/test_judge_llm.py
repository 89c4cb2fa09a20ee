"""The LLM judge against a real model server (llama.cpp, Gemma 3 270M): the JSON-schema constrained
verdict parses into ``{reason, score}``. A tiny base model: shape only, never the score's value."""

from __future__ import annotations

from pathlib import Path

import pytest
from autogen_core.models import ModelInfo
from autogen_ext.models.openai import OpenAIChatCompletionClient
from pydantic import SecretStr

from agents import LLMSettings, ModelInfoOverrides, ProviderConfig
from evals import EvalsConfig, JudgeScore, LLMJudge, OnlineEvaluator, eval_runs
from evals._scoring import JUDGE_METRICS
from service.bootstrap import build_runtime
from service.settings import Settings
from store import Run, SqliteBackend, Store
from tests.support.llm_server import LlamaServer, llama_server_fixture

pytestmark = pytest.mark.slow

llm_server = llama_server_fixture()

INFO: ModelInfo = {"vision": False, "function_calling": False, "json_output": True, "family": "unknown",
                   "structured_output": True}  # fmt: skip


# autogen 0.7.5 logs ParsedChatCompletion.model_dump(), on which pydantic warns (see tests/test_llm_server.py)
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
async def test_schema_constrained_verdict_parses(llm_server: LlamaServer) -> None:
    client = OpenAIChatCompletionClient(
        model=llm_server.model, base_url=llm_server.base_url, api_key=llm_server.api_key, model_info=INFO,
        max_retries=0, timeout=60.0, temperature=0.0, max_tokens=160,
    )  # fmt: skip
    try:
        judge = LLMJudge(client, retries=0)
        scores = await judge.score_all(
            ["groundedness", "relevance"],
            question="What was the p95 latency after the rollout?",
            answer="The p95 latency rose from 180 ms to 420 ms.",
            context="After the rollout, p95 latency rose from 180 ms to 420 ms.",
        )
    finally:
        await client.close()
    for metric, score in scores.items():
        assert isinstance(score, JudgeScore), (metric, score)
        assert score.metric == metric and score.score in {1, 2, 3, 4, 5} and isinstance(score.reason, str)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
async def test_the_service_gives_online_evaluation_the_configured_llm(
    llm_server: LlamaServer, tmp_path: Path
) -> None:
    """With an LLM configured, the service's online evaluator judges sampled turns with the
    evaluator's deployments (through the provider layer: redaction, retries, usage)."""
    deployment = ProviderConfig(
        name="local", kind="openai_compatible", model=llm_server.model, base_url=llm_server.base_url,
        api_key=SecretStr(llm_server.api_key), create_args={"temperature": 0.0, "max_tokens": 160},
        model_info=ModelInfoOverrides(structured_output=True, json_output=True, function_calling=False),
    )  # fmt: skip
    settings = Settings(data_dir=tmp_path, llm=LLMSettings(deployments=[deployment]))
    db = Store(SqliteBackend(tmp_path / "store.db"))
    await db.open()
    online = OnlineEvaluator(db, EvalsConfig(online_fraction=1.0))
    runtime = build_runtime(settings, db, None, online)
    try:
        assert isinstance(online.judge, LLMJudge)
        run = Run(id="run-1", tenant_id="contoso", conversation_id="c1", user_id="u1", agent="evaluator")
        question, answer = "What was the p95 latency after the rollout?", "The p95 latency rose to 420 ms."
        await online(run, question, answer, {"agent": "evaluator", "mode": "llm"})
        assert await online.work_once() == 1
        record = await eval_runs(db).get("contoso", "run-1")
        (item,) = record.items
        judged = [m for m in JUDGE_METRICS if m in record.metrics or m in str(item.get("errors"))]
        assert judged == list(JUDGE_METRICS), (record.metrics, item.get("errors"))
        for metric in JUDGE_METRICS:
            if metric in record.metrics:
                assert 0.0 <= record.metrics[metric] <= 1.0

        off = OnlineEvaluator(db, EvalsConfig(online_fraction=1.0, online_judges=False))
        off.use_judge(online.judge)
        assert off.judge is None  # online_judges=false keeps the judges off
    finally:
        await runtime.close()
        await db.close()
