"""The LLM judge against a real model server (llama.cpp, Gemma 3 270M): the JSON-schema constrained
verdict parses into ``{reason, score}``. A tiny base model: shape only, never the score's value."""

from __future__ import annotations

import pytest
from autogen_core.models import ModelInfo
from autogen_ext.models.openai import OpenAIChatCompletionClient

from evals import JudgeScore, LLMJudge
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
