"""Exceptions of the tools layer.

ToolError               a tool could not do what it was asked (bad arguments, backend failure)
├── ToolNotFound        no tool of that name in the toolbox
└── ActionBlocked       a state-changing tool was refused (untrusted content in the run, no hook)
"""

from __future__ import annotations

__all__ = ["ActionBlocked", "ToolError", "ToolNotFound"]


class ToolError(Exception):
    pass


class ToolNotFound(ToolError):
    pass


class ActionBlocked(ToolError):
    pass
