"""Settings of the eval features, embedded in the service settings as ``Settings.evals``
(environment ``OPSCOPILOT_EVALS__<FIELD>``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["EvalsConfig"]


class EvalsConfig(BaseModel):
    online_fraction: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Share of live chat turns evaluated in the background (0 = off).",
    )
    online_judges: bool = Field(
        default=True, description="Also run the LLM judges on sampled turns when an LLM is set."
    )
    poll_seconds: float = Field(
        default=5.0, gt=0, description="How often the online-eval worker looks for queued turns."
    )
    max_api_items: int = Field(
        default=500, ge=1, description="Largest cases x variants x repeats an API-started run may have."
    )
    concurrency: int = Field(default=4, ge=1, le=64, description="Items evaluated at once in a run.")
