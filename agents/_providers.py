"""LLM settings and clients: the deployments, which agent uses which, prices and retries.

The settings are plain pydantic models. The service's ``Settings`` embeds :class:`LLMSettings` as
``llm``, so they come from ``OPSCOPILOT_LLM__...`` (see docs/llm-providers.md). :func:`build_client`
builds the AutoGen client for one deployment, with the openai SDK's own retries off.
:class:`LLMProviders` builds them all once per process, owns the Entra ID credential, and gives each
agent of each run a :class:`ResilientChatClient` over that agent's deployments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from autogen_core.models import ChatCompletionClient, ModelFamily, ModelInfo
from autogen_ext.models.openai import (
    AzureOpenAIChatCompletionClient,
    OpenAIChatCompletionClient,
    _model_info,
)
from autogen_ext.models.openai.config import CreateArguments
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from tools.safety import RedactionSession, Redactor

from ._names import AGENTS, ROUTER
from ._resilient import Deployment, EventCallback, ResilientChatClient, RetryPolicy
from ._usage import DEFAULT_PRICES, Price, UsageMeter, price_for

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

__all__ = [
    "COGNITIVE_SERVICES_SCOPE",
    "LLMProviders",
    "LLMSettings",
    "ModelInfoOverrides",
    "ProviderConfig",
    "build_client",
]

COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"
DEFAULT_AZURE_API_VERSION = "2024-10-21"
OPENAI_BASE_URL = "https://api.openai.com/v1"
# default request arguments a deployment may set (the rest belong to the call, or to us)
CREATE_ARGS = (set(CreateArguments.__annotations__) - {"n", "stream_options", "response_format"}) | {
    "max_completion_tokens",
    "extra_body",
}
# when autogen does not know the model (self-hosted, or a name it has no entry for)
UNKNOWN_MODEL_INFO: dict[str, Any] = {
    "vision": False,
    "function_calling": True,
    "json_output": True,
    "structured_output": False,
    "family": ModelFamily.UNKNOWN,
}


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
        if unknown := set(self.create_args) - CREATE_ARGS:
            raise ValueError(f"deployment {self.name!r}: unsupported create_args {sorted(unknown)}")
        return self

    def resolved_model_info(self) -> ModelInfo:
        """autogen's entry for the model (or :data:`UNKNOWN_MODEL_INFO`), with our overrides."""
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


def build_client(
    cfg: ProviderConfig, *, credential: AsyncTokenCredential | None = None
) -> ChatCompletionClient:
    """The AutoGen client for one deployment, with ``max_retries=0``: :class:`ResilientChatClient`
    does the retrying. A keyless Azure deployment authenticates with ``credential`` (Entra ID), or
    with a ``DefaultAzureCredential`` of its own that the client closes with itself."""
    common: dict[str, Any] = {
        "model": cfg.model,
        "model_info": cfg.resolved_model_info(),
        "max_retries": 0,
        "timeout": cfg.timeout,
        **cfg.create_args,
    }
    if cfg.kind != "azure_openai":
        key = cfg.api_key.get_secret_value() if cfg.api_key is not None else "not-needed"
        return OpenAIChatCompletionClient(base_url=cfg.base_url or OPENAI_BASE_URL, api_key=key, **common)
    common |= {
        "azure_endpoint": cfg.endpoint,
        "azure_deployment": cfg.deployment or cfg.model,
        "api_version": cfg.api_version,
    }
    if cfg.api_key is not None:
        return AzureOpenAIChatCompletionClient(api_key=cfg.api_key.get_secret_value(), **common)
    if credential is not None:
        return AzureOpenAIChatCompletionClient(azure_ad_token_provider=_token_provider(credential), **common)
    from azure.identity.aio import DefaultAzureCredential

    own = DefaultAzureCredential()
    return _EntraClient(own, azure_ad_token_provider=_token_provider(own), **common)


def _token_provider(credential: AsyncTokenCredential) -> Any:
    from azure.identity.aio import get_bearer_token_provider

    return get_bearer_token_provider(credential, COGNITIVE_SERVICES_SCOPE)


class _EntraClient(AzureOpenAIChatCompletionClient):
    """An Azure OpenAI client that owns the credential behind its token provider."""

    def __init__(self, credential: AsyncTokenCredential, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._credential = credential

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            await self._credential.close()


class LLMProviders:
    """The process's LLM clients: one per deployment, built at start-up (so configuration errors
    show then), shared by every run. :meth:`client` gives one agent a :class:`ResilientChatClient`
    over its deployments; closing that one leaves the shared clients open, :meth:`close` closes them.
    """

    def __init__(
        self,
        settings: LLMSettings,
        *,
        credential: AsyncTokenCredential | None = None,
        redaction: Redactor | None = None,
        build: Callable[..., ChatCompletionClient] = build_client,
    ) -> None:
        if not settings.enabled:
            raise ValueError("no LLM deployment is configured (llm.deployments is empty)")
        self.settings = settings
        self.redaction = redaction or Redactor()
        self._own_credential: AsyncTokenCredential | None = None
        if credential is None and any(
            d.kind == "azure_openai" and d.api_key is None for d in settings.deployments
        ):
            from azure.identity.aio import DefaultAzureCredential

            credential = self._own_credential = DefaultAzureCredential()
        self.deployments: dict[str, Deployment] = {}
        for cfg in settings.deployments:
            self.deployments[cfg.name] = Deployment(
                name=cfg.name,
                model=cfg.model,
                client=build(cfg, credential=credential),
                price=settings.price_of(cfg),
                context_window=cfg.context_window,
                stream_usage=cfg.stream_usage,
            )

    def client(
        self,
        agent: str,
        *,
        on_event: EventCallback | None = None,
        redactor: RedactionSession | None = None,
        usage: UsageMeter | None = None,
    ) -> ResilientChatClient:
        """A client for ``agent``. Without ``redactor`` it gets a session of its own, unless the
        settings turn redaction off. Pass one ``usage`` meter to every agent of a run to total it."""
        if redactor is None and self.settings.redact:
            redactor = self.redaction.session()
        return ResilientChatClient(
            [self.deployments[cfg.name] for cfg in self.settings.deployments_for(agent)],
            retry=self.settings.retry,
            on_event=on_event,
            redactor=redactor,
            usage=usage,
            agent=agent,
            owns_clients=False,
        )

    async def close(self) -> None:
        try:
            for dep in self.deployments.values():
                await dep.client.close()
        finally:
            if self._own_credential is not None:
                await self._own_credential.close()
