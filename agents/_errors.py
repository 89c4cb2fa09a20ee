"""Exceptions of the agents layer.

AgentError
├── ProviderError          one LLM deployment failed (after its retries)
│   └── AllProvidersFailed every configured deployment failed: the turn falls back to offline mode
└── RunConflict            the conversation already has a run in progress
"""

from __future__ import annotations

__all__ = ["AgentError", "AllProvidersFailed", "ProviderError", "RunConflict"]


class AgentError(Exception):
    pass


class ProviderError(AgentError):
    pass


class AllProvidersFailed(ProviderError):
    pass


class RunConflict(AgentError):
    pass
