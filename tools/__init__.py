"""Semantic Kernel plugins and the deterministic engines behind them (logs, reports, safety, ...).

Plugins are classes with ``@kernel_function`` methods; :class:`Toolbox` exposes them to agents.
"""

from ._errors import ActionBlocked, ToolError, ToolNotFound
from ._toolbox import ApprovalHook, CallRecord, CallRecorder, Toolbox, state_changing

__all__ = [
    "ActionBlocked",
    "ApprovalHook",
    "CallRecord",
    "CallRecorder",
    "ToolError",
    "ToolNotFound",
    "Toolbox",
    "state_changing",
]
