"""Semantic Kernel plugins and the deterministic engines behind them (logs, reports, safety, ops).

Plugins are classes with ``@kernel_function`` methods; :class:`Toolbox` exposes them to agents.
The toolbox (and with it semantic_kernel, slow to import) loads on first use, so engines such as
``tools.safety`` or ``tools.logs`` import quickly on their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import ActionBlocked, ToolError, ToolNotFound

if TYPE_CHECKING:
    from ._toolbox import ApprovalHook, CallRecord, CallRecorder, Toolbox, state_changing

_LAZY = {"ApprovalHook", "CallRecord", "CallRecorder", "Toolbox", "state_changing"}

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


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import _toolbox

        return getattr(_toolbox, name)
    raise AttributeError(f"module 'tools' has no attribute {name!r}")
