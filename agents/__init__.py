"""AutoGen AgentChat agents, the team that routes between them, model providers and prompts.

:class:`AgentRuntime` runs one user message as a persisted, streamed run of the team (a router and
``log_analyst``, ``report_writer``, ``evaluator``, ``ops_assistant``): deterministic agents offline,
``AssistantAgent``s when an LLM is configured.

Names load on first use: importing the package for a settings model (``LLMSettings``) does not
pull in AutoGen, Semantic Kernel or openai.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._errors import AgentError, AllProvidersFailed, ProviderError, RunConflict
    from ._intents import Intent, route, split_instruction
    from ._llm_settings import LLMSettings, ModelInfoOverrides, ProviderConfig, RetryPolicy
    from ._names import AGENTS, DESCRIPTIONS, ROUTER
    from ._offline import OfflineAgent, OfflineRouter, Reply, Turn
    from ._prompts import Prompt, Prompts
    from ._providers import LLMProviders, build_client
    from ._recorder import RunRecorder
    from ._resilient import Deployment, EventCallback, ResilientChatClient
    from ._runtime import AgentRuntime, ClientFactory, RunScope, TurnHook
    from ._screening import Screening, screen_message
    from ._usage import DEFAULT_PRICES, Price, UsageMeter
    from .skills import SKILLS

_EXPORTS: dict[str, str] = {
    "AGENTS": "._names",
    "AgentError": "._errors",
    "AgentRuntime": "._runtime",
    "AllProvidersFailed": "._errors",
    "ClientFactory": "._runtime",
    "DEFAULT_PRICES": "._usage",
    "DESCRIPTIONS": "._names",
    "Deployment": "._resilient",
    "EventCallback": "._resilient",
    "Intent": "._intents",
    "LLMProviders": "._providers",
    "LLMSettings": "._llm_settings",
    "ModelInfoOverrides": "._llm_settings",
    "OfflineAgent": "._offline",
    "OfflineRouter": "._offline",
    "Price": "._usage",
    "Prompt": "._prompts",
    "Prompts": "._prompts",
    "ProviderConfig": "._llm_settings",
    "ProviderError": "._errors",
    "ROUTER": "._names",
    "Reply": "._offline",
    "ResilientChatClient": "._resilient",
    "RetryPolicy": "._llm_settings",
    "RunConflict": "._errors",
    "RunRecorder": "._recorder",
    "RunScope": "._runtime",
    "SKILLS": ".skills",
    "Screening": "._screening",
    "Turn": "._offline",
    "TurnHook": "._runtime",
    "UsageMeter": "._usage",
    "build_client": "._providers",
    "route": "._intents",
    "screen_message": "._screening",
    "split_instruction": "._intents",
}

__all__ = [
    "AGENTS",
    "AgentError",
    "AgentRuntime",
    "AllProvidersFailed",
    "ClientFactory",
    "DEFAULT_PRICES",
    "DESCRIPTIONS",
    "Deployment",
    "EventCallback",
    "Intent",
    "LLMProviders",
    "LLMSettings",
    "ModelInfoOverrides",
    "OfflineAgent",
    "OfflineRouter",
    "Price",
    "Prompt",
    "Prompts",
    "ProviderConfig",
    "ProviderError",
    "ROUTER",
    "Reply",
    "ResilientChatClient",
    "RetryPolicy",
    "RunConflict",
    "RunRecorder",
    "RunScope",
    "SKILLS",
    "Screening",
    "Turn",
    "TurnHook",
    "UsageMeter",
    "build_client",
    "route",
    "screen_message",
    "split_instruction",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'agents' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
