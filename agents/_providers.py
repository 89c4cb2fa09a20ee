"""LLM clients from the settings of `agents._llm_settings`. :func:`build_client`
builds the AutoGen client for one deployment, with the openai SDK's own retries off.
:class:`LLMProviders` builds them all once per process, owns the Entra ID credential, and gives each
agent of each run a :class:`ResilientChatClient` over that agent's deployments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from autogen_core.models import ChatCompletionClient
from autogen_ext.models.openai import AzureOpenAIChatCompletionClient, OpenAIChatCompletionClient

from tools.safety import RedactionSession, Redactor

from ._llm_settings import (
    COGNITIVE_SERVICES_SCOPE,
    OPENAI_BASE_URL,
    LLMSettings,
    ModelInfoOverrides,
    ProviderConfig,
    RetryPolicy,
)
from ._resilient import Deployment, EventCallback, ResilientChatClient
from ._usage import UsageMeter

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

__all__ = [
    "COGNITIVE_SERVICES_SCOPE",
    "LLMProviders",
    "LLMSettings",
    "ModelInfoOverrides",
    "ProviderConfig",
    "RetryPolicy",
    "build_client",
]


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
