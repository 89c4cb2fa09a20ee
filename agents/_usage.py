"""Token usage and cost of LLM calls, per model.

Prices are USD per 1,000 tokens, input and output, looked up by model name: an exact entry wins,
else the longest entry the name starts with (``gpt-4o-2024-08-06`` is priced as ``gpt-4o``, and
``gpt-4o-mini`` as ``gpt-4o-mini``). A model with no price has no cost (``None``), never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["DEFAULT_PRICES", "Price", "UsageMeter", "price_for"]


class Price(BaseModel):
    """USD per 1,000 tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1000


# Pay-as-you-go list prices (global standard deployments). Override or extend them in settings;
# a provisioned-throughput deployment can set its own `price` (e.g. zero marginal cost).
DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o": Price(input=0.0025, output=0.01),
    "gpt-4o-mini": Price(input=0.00015, output=0.0006),
    "gpt-4.1": Price(input=0.002, output=0.008),
    "gpt-4.1-mini": Price(input=0.0004, output=0.0016),
    "gpt-4.1-nano": Price(input=0.0001, output=0.0004),
    "o4-mini": Price(input=0.0011, output=0.0044),
}


def price_for(prices: Mapping[str, Price], model: str) -> Price | None:
    """The exact entry for ``model``, else the longest entry it starts with, else ``None``."""
    if model in prices:
        return prices[model]
    matches = [name for name in prices if model.startswith(name)]
    return prices[max(matches, key=len)] if matches else None


@dataclass
class _Tally:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    unpriced_calls: int = 0
    deployments: dict[str, int] = field(default_factory=dict)


class UsageMeter:
    """Accumulates tokens and cost per model. Share one between the agents of a run to total it."""

    def __init__(self) -> None:
        self._by_model: dict[str, _Tally] = {}

    def record(
        self,
        *,
        model: str,
        deployment: str,
        prompt_tokens: int,
        completion_tokens: int,
        cost_usd: float | None,
    ) -> None:
        tally = self._by_model.setdefault(model, _Tally())
        tally.calls += 1
        tally.prompt_tokens += prompt_tokens
        tally.completion_tokens += completion_tokens
        if cost_usd is None:
            tally.unpriced_calls += 1
        else:
            tally.cost_usd += cost_usd
        tally.deployments[deployment] = tally.deployments.get(deployment, 0) + 1

    @property
    def prompt_tokens(self) -> int:
        return sum(t.prompt_tokens for t in self._by_model.values())

    @property
    def completion_tokens(self) -> int:
        return sum(t.completion_tokens for t in self._by_model.values())

    @property
    def cost_usd(self) -> float:
        return sum(t.cost_usd for t in self._by_model.values())

    def summary(self) -> dict[str, dict[str, Any]]:
        """``{model: {calls, prompt_tokens, completion_tokens, cost_usd, unpriced_calls, deployments}}``."""
        return {
            model: {
                "calls": t.calls,
                "prompt_tokens": t.prompt_tokens,
                "completion_tokens": t.completion_tokens,
                "cost_usd": round(t.cost_usd, 8),
                "unpriced_calls": t.unpriced_calls,
                "deployments": dict(t.deployments),
            }
            for model, t in self._by_model.items()
        }
