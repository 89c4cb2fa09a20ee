"""The LLM settings: deployments, which agent uses which, prices and the retry policy.

Plain pydantic models with no AutoGen or openai import at module level, so that the service's
settings (``OPSCOPILOT_LLM__...``, see docs/llm-providers.md) load without the LLM stack;
`agents._providers` builds clients from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from ._names import AGENTS, ROUTER
from ._usage import DEFAULT_PRICES, Price, price_for

__all__ = [
    "COGNITIVE_SERVICES_SCOPE",
    "LLMSettings",
    "ModelInfoOverrides",
    "ProviderConfig",
    "RetryPolicy",
]

if TYPE_CHECKING:
    from autogen_core.models import ModelInfo

COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"
DEFAULT_AZURE_API_VERSION = "2024-10-21"
OPENAI_BASE_URL = "https://api.openai.com/v1"


def create_args() -> set[str]:
    """Default request arguments a deployment may set (the rest belong to the call, or to us)."""
    from autogen_ext.models.openai.config import CreateArguments

    return (set(CreateArguments.__annotations__) - {"n", "stream_options", "response_format"}) | {
        "max_completion_tokens",
        "extra_body",
    }


# when autogen does not know the model (self-hosted, or a name it has no entry for)
UNKNOWN_MODEL_INFO: dict[str, Any] = {
    "vision": False,
    "function_calling": True,
    "json_output": True,
    "structured_output": False,
    "family": "unknown",  # autogen_core.models.ModelFamily.UNKNOWN
}


class RetryPolicy(BaseModel):
    """How long one deployment is tried before the next one is."""

    max_attempts: int = Field(default=3, ge=1, description="Attempts per deployment, the first included.")
    initial_wait: float = Field(default=0.5, ge=0, description="First backoff (s); doubles per attempt.")
    max_wait: float = Field(default=20.0, ge=0, description="Cap on any wait (s), Retry-After included.")
    jitter: float = Field(default=0.5, ge=0, description="Random extra backoff, up to this (s).")
    honour_retry_after: bool = True


class ModelInfoOverrides(BaseModel):
    """What the model can do, where autogen's table (OpenAI models only) is wrong or silent."""

    model_config = ConfigDict(extra="forbid")

    function_calling: bool | None = None
    json_output: bool | None = None
    structured_output: bool | None = None
    vision: bool | None = None
    family: str | None = None
    multiple_system_messages: bool | None = None


class ProviderConfig(BaseModel):
    """One deployment: an Azure OpenAI deployment, OpenAI, or any OpenAI-compatible server."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    name: str = Field(min_length=1, description="Label used in settings, events and usage.")
    kind: Literal["azure_openai", "openai", "openai_compatible"]
    model: str = Field(min_length=1, description="Model name: prices, capabilities; Azure: the base model.")
    endpoint: str | None = Field(default=None, description="Azure: https://<resource>.openai.azure.com")
    deployment: str | None = Field(default=None, description="Azure deployment name (default: model).")
    api_version: str = DEFAULT_AZURE_API_VERSION
    api_key: SecretStr | None = Field(default=None, description="Azure: none means Entra ID.")
    base_url: str | None = Field(default=None, description="openai_compatible: e.g. http://host:8000/v1")
    model_info: ModelInfoOverrides = Field(default_factory=ModelInfoOverrides)
    timeout: float = Field(default=60.0, gt=0, description="Seconds per request.")
    context_window: int | None = Field(default=None, gt=0)
    price: Price | None = Field(default=None, description="Overrides the price table, e.g. 0 for PTU.")
    stream_usage: bool = Field(default=True, description="Ask for the usage chunk when streaming.")
    create_args: dict[str, Any] = Field(default_factory=dict, description="temperature, max_tokens...")

    @model_validator(mode="after")
    def _check_kind(self) -> ProviderConfig:
        needs = {"azure_openai": "endpoint", "openai": "api_key", "openai_compatible": "base_url"}[self.kind]
        if getattr(self, needs) is None:
            raise ValueError(f"deployment {self.name!r} of kind {self.kind} needs {needs}")
        if unknown := set(self.create_args) - create_args():
            raise ValueError(f"deployment {self.name!r}: unsupported create_args {sorted(unknown)}")
        return self

    def resolved_model_info(self) -> ModelInfo:
        """autogen's entry for the model (or :data:`UNKNOWN_MODEL_INFO`), with our overrides."""
        from autogen_ext.models.openai import _model_info

        try:
            info: dict[str, Any] = dict(_model_info.get_info(self.model))
        except ValueError:
            info = dict(UNKNOWN_MODEL_INFO)
        info.update(self.model_info.model_dump(exclude_none=True))
        return info  # type: ignore[return-value]


class LLMSettings(BaseModel):
    """All deployments in fallback order, per-agent choices, prices and the retry policy."""

    deployments: list[ProviderConfig] = Field(default_factory=list)
    agents: dict[str, list[str]] = Field(
        default_factory=dict, description="Agent -> deployment names in order; default: all deployments."
    )
    prices: dict[str, Price] = Field(
        default_factory=lambda: dict(DEFAULT_PRICES), description="Model -> USD per 1K tokens."
    )
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    redact: bool = Field(default=True, description="Redact PII/secrets in everything sent to a model.")

    @field_validator("prices")
    @classmethod
    def _keep_default_prices(cls, value: dict[str, Price]) -> dict[str, Price]:
        return {**DEFAULT_PRICES, **value}

    @model_validator(mode="after")
    def _check_names(self) -> LLMSettings:
        names = [d.name for d in self.deployments]
        if dupes := {n for n in names if names.count(n) > 1}:
            raise ValueError(f"deployment names must be unique: {sorted(dupes)}")
        for agent, chosen in self.agents.items():
            if agent not in (ROUTER, *AGENTS):
                raise ValueError(
                    f"unknown agent {agent!r} in llm.agents; agents: {ROUTER}, {', '.join(AGENTS)}"
                )
            if not chosen:
                raise ValueError(f"llm.agents[{agent!r}] is empty")
            if unknown := [n for n in chosen if n not in names]:
                raise ValueError(f"llm.agents[{agent!r}] names unknown deployments {unknown}")
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.deployments)

    def deployments_for(self, agent: str) -> list[ProviderConfig]:
        by_name = {d.name: d for d in self.deployments}
        return [by_name[n] for n in self.agents[agent]] if agent in self.agents else list(self.deployments)

    def price_of(self, cfg: ProviderConfig) -> Price | None:
        return cfg.price if cfg.price is not None else price_for(self.prices, cfg.model)
