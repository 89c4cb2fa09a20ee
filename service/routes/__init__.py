"""One router per resource."""

from . import audit, conversations, health, keys

__all__ = ["audit", "conversations", "health", "keys"]
