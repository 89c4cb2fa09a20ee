"""One router per resource."""

from . import audit, conversations, health, keys, runs

__all__ = ["audit", "conversations", "health", "keys", "runs"]
