"""LLM judges: groundedness, relevance, coherence and fluency on a 1-5 scale with a reason.

The rubrics follow the shape of Azure AI evaluation's prompt-based evaluators (a definition, what each
score means, the inputs, then the verdict). The judge answers ``{"reason": ..., "score": 1..5}``: with a
JSON schema when the model supports structured output, else JSON mode, and the reply is parsed
robustly (code fences, text around the object, a score written as "4"). A reply that still does not
parse, or a failed call, is a :class:`JudgeError` — recorded as an error on the item, never as a low
score. Inputs go to the model inside ``<untrusted>`` envelopes, so an answer cannot instruct its judge.
Any AutoGen ``ChatCompletionClient`` works (OpenAI, Azure OpenAI, the resilient provider, a replay).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from autogen_core.models import ChatCompletionClient, LLMMessage, SystemMessage, UserMessage
from pydantic import BaseModel, ConfigDict, ValidationError

from tools.safety import UNTRUSTED_INSTRUCTIONS, wrap_untrusted

from ._errors import EvalSpecError, JudgeError

__all__ = ["JUDGE_SCHEMA", "RUBRICS", "JudgeScore", "JudgeVerdict", "LLMJudge", "parse_verdict"]

_MAX_INPUT = 12_000


class JudgeVerdict(BaseModel):
    """The judge's reply: its reasoning first (so a constrained decoder writes it before the score)."""

    model_config = ConfigDict(extra="forbid", title="verdict")
    reason: str
    score: Literal[1, 2, 3, 4, 5]


#: The JSON schema a constrained decoder is given (an enum, not min/max: strict modes accept it).
JUDGE_SCHEMA: dict[str, Any] = JudgeVerdict.model_json_schema()


@dataclass(frozen=True)
class JudgeScore:
    metric: str
    score: int
    reason: str


_SCALE = {
    "groundedness": (
        "Groundedness: is every claim of the RESPONSE supported by the CONTEXT? Judge only support by the "
        "context, not truth in the world or helpfulness.",
        [
            "the response is unrelated to the context, or contradicts it",
            "the response relates to the context but most of its claims are unsupported or wrong",
            "some claims are supported, others are unsupported or subtly wrong (a wrong number counts)",
            "nearly everything is supported; a minor detail goes beyond the context",
            "every claim, figure and name is supported by the context",
        ],
    ),
    "relevance": (
        "Relevance: does the RESPONSE address the QUERY, completely and to the point?",
        [
            "the response does not address the query at all",
            "the response touches the topic but misses what was asked",
            "the response answers part of the query, or buries the answer in off-topic text",
            "the response answers the query with small gaps or some unneeded detail",
            "the response fully and directly answers the query",
        ],
    ),
    "coherence": (
        "Coherence: does the RESPONSE read as a logical, well-organised whole, with ideas that follow "
        "from one another?",
        [
            "incoherent: disconnected fragments, no discernible logic",
            "poorly organised: ideas jump around, connections are missing",
            "partly coherent: the main line can be followed with effort",
            "coherent with minor lapses in flow or transitions",
            "fully coherent: clear structure, each idea leads to the next",
        ],
    ),
    "fluency": (
        "Fluency: how well is the RESPONSE written: grammar, vocabulary, sentence structure, readability? "
        "Ignore whether it is correct.",
        [
            "barely readable: pervasive errors make it hard to understand",
            "frequent errors and awkward phrasing hinder reading",
            "understandable with noticeable errors or clumsy sentences",
            "well written with only occasional minor errors",
            "fluent, precise and natural throughout",
        ],
    ),
}


def _system(metric: str) -> str:
    definition, levels = _SCALE[metric]
    lines = "\n".join(f"{i}: {text}" for i, text in enumerate(levels, 1))
    return (
        "You are an impartial evaluator of an AI assistant's answers. "
        f"{UNTRUSTED_INSTRUCTIONS}\n\n{definition}\n\nScore from 1 to 5:\n{lines}\n\n"
        'Reply with JSON only: {"reason": "<one or two sentences>", "score": <1-5>}.'
    )


RUBRICS: dict[str, str] = {metric: _system(metric) for metric in _SCALE}
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def parse_verdict(content: Any) -> JudgeVerdict:
    """The verdict in a judge reply; :class:`JudgeError` when there is none."""
    if not isinstance(content, str):
        raise JudgeError(f"judge replied with {type(content).__name__}, not text")
    candidates = [m.group(1) for m in _FENCE.finditer(content)] + [content]
    decoder = json.JSONDecoder()
    for text in candidates:
        for start in (i for i, ch in enumerate(text) if ch == "{"):
            try:
                obj, _ = decoder.raw_decode(text, start)
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict) and "score" in obj:
                score = obj["score"]
                if (
                    isinstance(score, str)
                    and score.strip().isdigit()
                    or isinstance(score, float)
                    and score.is_integer()
                ):
                    score = int(score)
                try:
                    return JudgeVerdict(reason=str(obj.get("reason", ""))[:4000], score=score)
                except ValidationError as exc:
                    raise JudgeError(f"judge verdict out of schema: {exc.errors()[0]['msg']}") from None
    raise JudgeError(f"no JSON verdict in judge reply: {content[:120]!r}")


class LLMJudge:
    """Scores answers with one chat model; ``retries`` re-asks after an unparsable reply."""

    def __init__(self, client: ChatCompletionClient, *, retries: int = 1) -> None:
        self.client = client
        self.retries = retries

    def _json_output(self) -> bool | type[BaseModel] | None:
        info = self.client.model_info
        if info.get("structured_output"):
            return JudgeVerdict
        return True if info.get("json_output") else None

    def _messages(self, metric: str, question: str, answer: str, context: str) -> list[LLMMessage]:
        parts = [f"QUERY:\n{wrap_untrusted(question[:_MAX_INPUT], 'user')}"]
        if metric == "groundedness":
            parts.append(f"CONTEXT:\n{wrap_untrusted(context[:_MAX_INPUT], 'document', label='sources')}")
        parts.append(f"RESPONSE:\n{wrap_untrusted(answer[:_MAX_INPUT], 'tool_output', label='response')}")
        return [
            SystemMessage(content=RUBRICS[metric]),
            UserMessage(content="\n\n".join(parts), source="user"),
        ]

    async def score(self, metric: str, *, question: str, answer: str, context: str = "") -> JudgeScore:
        if metric not in RUBRICS:
            raise EvalSpecError(f"no judge for {metric!r}; judges: {', '.join(RUBRICS)}")
        messages = self._messages(metric, question, answer, context)
        problem: JudgeError | None = None
        for _ in range(self.retries + 1):
            try:
                result = await self.client.create(messages, json_output=self._json_output())
            except Exception as exc:
                raise JudgeError(f"{metric} judge call failed: {type(exc).__name__}: {exc}") from exc
            try:
                verdict = parse_verdict(result.content)
            except JudgeError as exc:
                problem = exc
                continue
            return JudgeScore(metric, verdict.score, verdict.reason)
        raise JudgeError(f"{metric}: {problem}")

    async def score_all(
        self, metrics: Iterable[str], *, question: str, answer: str, context: str = ""
    ) -> dict[str, JudgeScore | JudgeError]:
        """Each metric's score, or the error that prevented it (one failing judge spares the others)."""
        out: dict[str, JudgeScore | JudgeError] = {}
        for metric in metrics:
            try:
                out[metric] = await self.score(metric, question=question, answer=answer, context=context)
            except JudgeError as exc:
                out[metric] = exc
        return out
