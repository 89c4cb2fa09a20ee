"""AutoGen AgentChat agents, the team that routes between them, model providers and prompts.

:class:`AgentRuntime` runs one user message as a persisted, streamed run of the team (a router and
``log_analyst``, ``report_writer``, ``evaluator``, ``ops_assistant``): deterministic agents offline,
``AssistantAgent``s when an LLM is configured.
"""

from ._errors import AgentError, AllProvidersFailed, ProviderError, RunConflict
from ._intents import Intent, route, split_instruction
from ._names import AGENTS, DESCRIPTIONS, ROUTER
from ._offline import OfflineAgent, OfflineRouter, Reply, Turn
from ._prompts import Prompt, Prompts
from ._providers import LLMProviders, LLMSettings, ModelInfoOverrides, ProviderConfig, build_client
from ._recorder import RunRecorder
from ._resilient import Deployment, EventCallback, ResilientChatClient, RetryPolicy
from ._runtime import AgentRuntime, ClientFactory, RunScope
from ._screening import Screening, screen_message
from ._usage import DEFAULT_PRICES, Price, UsageMeter
from .skills import SKILLS

__all__ = [
    "AGENTS",
    "DEFAULT_PRICES",
    "Deployment",
    "EventCallback",
    "LLMProviders",
    "LLMSettings",
    "ModelInfoOverrides",
    "Price",
    "ProviderConfig",
    "ResilientChatClient",
    "RetryPolicy",
    "UsageMeter",
    "build_client",
    "DESCRIPTIONS",
    "ROUTER",
    "SKILLS",
    "AgentError",
    "AgentRuntime",
    "AllProvidersFailed",
    "ClientFactory",
    "Intent",
    "OfflineAgent",
    "OfflineRouter",
    "Prompt",
    "Prompts",
    "ProviderError",
    "Reply",
    "RunConflict",
    "RunRecorder",
    "RunScope",
    "Screening",
    "Turn",
    "route",
    "screen_message",
    "split_instruction",
]
