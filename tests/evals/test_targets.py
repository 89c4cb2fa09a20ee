"""Prompt-variant and endpoint targets: the exact requests, with scripted models and MockTransport."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from autogen_core.models import CreateResult, ModelFamily, RequestUsage
from autogen_ext.models.replay import ReplayChatCompletionClient

from evals import ChatTarget, EndpointTarget, TargetError, run_eval
from evals.datasets import Case, SourceDoc

INFO: Any = {"vision": False, "function_calling": False, "json_output": False, "family": ModelFamily.UNKNOWN,
             "structured_output": False}  # fmt: skip
CASE = Case(id="r1", kind="report", input="What was revenue in 2023?", reference=("1,496.5",),
            sources=(SourceDoc(id="t", text="| Revenue | 1,496.5 |"),))  # fmt: skip


def result(text: str) -> CreateResult:
    return CreateResult(
        content=text,
        finish_reason="stop",
        usage=RequestUsage(prompt_tokens=100, completion_tokens=20),
        cached=False,
    )


async def test_prompt_variants_of_an_agent_over_one_model() -> None:
    client = ReplayChatCompletionClient(
        [result("Revenue was 1,496.5."), result("About 1.5 billion.")], model_info=INFO
    )
    target = await ChatTarget.from_agent_prompts(client, "report_writer", price=(0.01, 0.03))
    assert (
        set(target.systems) == {"default", "concise"}
        and "at most three sentences" in target.systems["concise"]
    )
    report = await run_eval(target, [CASE], variants=["default", "concise"], concurrency=1)
    default, concise = report.summary["default"], report.summary["concise"]
    assert default["number_match"] == 1.0 and concise["number_match"] == 0.0
    assert default["tokens"] == 120 and default["cost_usd"] == pytest.approx(0.0016)
    assert report.target == "prompt:report_writer"


async def test_endpoint_targets_speak_both_protocols() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/chat/completions"):
            return httpx.Response(200, json={"choices": [{"message": {"content": "1,496.5"}}],
                                             "usage": {"prompt_tokens": 7, "completion_tokens": 3}})  # fmt: skip
        if request.headers.get("azureml-model-deployment") == "broken":
            return httpx.Response(503, json={"error": "down"})
        return httpx.Response(200, json={"output": "Revenue was 1,496.5"})

    chat = EndpointTarget(
        "http://llm.test/v1/chat/completions",
        api_key="k",
        model="gpt",
        transport=httpx.MockTransport(handler),
    )
    out = await chat(CASE, "default")
    assert out.answer == "1,496.5" and (out.prompt_tokens, out.completion_tokens) == (7, 3)
    body = json.loads(seen[0].content)
    assert body["model"] == "gpt" and body["messages"][0]["content"].startswith("What was revenue")
    assert seen[0].headers["authorization"] == "Bearer k"
    await chat.aclose()

    score = EndpointTarget("http://ml.test/score", transport=httpx.MockTransport(handler))
    assert (await score(CASE, "blue")).answer == "Revenue was 1,496.5"
    assert (
        seen[-1].headers["azureml-model-deployment"] == "blue"
        and json.loads(seen[-1].content)["case_id"] == "r1"
    )
    with pytest.raises(TargetError, match="endpoint call failed"):
        await score(CASE, "broken")
    report = await run_eval(score, [CASE], variants=["blue", "broken"])
    assert report.summary["blue"]["error_rate"] == 0.0 and report.summary["broken"]["error_rate"] == 1.0
    await score.aclose()
