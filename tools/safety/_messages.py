"""Redaction around anything that sends chat messages to an LLM.

The provider layer calls this before every request, never the tools themselves::

    send = redacting(client.complete)               # one RedactionSession per wrapper
    reply = await send(messages, temperature=0)     # model sees <EMAIL_1>, caller sees the original

or, without wrapping::

    redacted = redact_messages(messages, session)   # NamedTuple: (messages, session)
    raw = await client.complete(redacted.messages)
    text = session.restore(raw.content)

Messages may be dicts (OpenAI style) or objects (autogen ``LLMMessage``, pydantic models,
dataclasses). Text is found under the fields in :data:`TEXT_FIELDS`, recursively through lists,
dicts and objects, so multi-part content, tool-call ``arguments`` and tool results are covered.
Inputs are never mutated: changed messages are copied, unchanged ones are passed through as they are.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, NamedTuple, TypeVar

from ._redact import RedactionSession

__all__ = [
    "TEXT_FIELDS",
    "RedactedMessages",
    "RedactingSend",
    "redact_messages",
    "redacting",
    "restore_reply",
]

#: Field names whose values carry text to redact or restore.
TEXT_FIELDS: frozenset[str] = frozenset(
    {"content", "text", "arguments", "thought", "tool_calls", "function", "function_call"}
)

T = TypeVar("T")
_MAX_DEPTH = 8


class RedactedMessages(NamedTuple):
    messages: list[Any]
    session: RedactionSession

    def restore(self, text: str) -> str:
        return self.session.restore(text)


def redact_messages(messages: Iterable[T], session: RedactionSession | None = None) -> RedactedMessages:
    """Redacted copies of ``messages`` and the session holding the placeholders (new if not given)."""
    session = RedactionSession() if session is None else session
    return RedactedMessages([_map_text(m, session.redact_text, 0) for m in messages], session)


def restore_reply(reply: T, session: RedactionSession) -> T:
    """Restore placeholders in a model reply: a ``str``, or a dict/object with text fields."""
    return _map_text(reply, session.restore, 0)


class RedactingSend:
    """Wraps ``send(messages, *args, **kwargs)`` (sync or async): redacts on the way out, restores back.

    All calls through one wrapper share :attr:`session`, so placeholders stay stable across the
    requests of one conversation or batch. Build one wrapper per conversation/job.
    """

    def __init__(
        self, send: Callable[..., Any], *, session: RedactionSession | None = None, restore: bool = True
    ) -> None:
        self._send = send
        self.session = RedactionSession() if session is None else session
        self.restore_replies = restore
        self.__wrapped__ = send

    def __call__(self, messages: Iterable[Any], /, *args: Any, **kwargs: Any) -> Any:
        redacted = redact_messages(messages, self.session)
        result = self._send(redacted.messages, *args, **kwargs)
        if inspect.isawaitable(result):
            return self._finish_async(result)
        return self._finish(result)

    async def _finish_async(self, pending: Awaitable[Any]) -> Any:
        return self._finish(await pending)

    def _finish(self, reply: Any) -> Any:
        return restore_reply(reply, self.session) if self.restore_replies else reply


def redacting(
    send: Callable[..., Any], *, session: RedactionSession | None = None, restore: bool = True
) -> RedactingSend:
    """Wrap an LLM call so its messages are redacted and its reply restored. See :class:`RedactingSend`."""
    return RedactingSend(send, session=session, restore=restore)


def _map_text(value: Any, fn: Callable[[str], str], depth: int) -> Any:
    """``value`` with ``fn`` applied to every string under :data:`TEXT_FIELDS`; copies only what changes."""
    if isinstance(value, str):
        return fn(value)
    if depth >= _MAX_DEPTH:
        return value
    if isinstance(value, list | tuple):
        items = [_map_text(v, fn, depth + 1) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        if isinstance(value, list):
            return items
        return value._make(items) if hasattr(value, "_make") else tuple(items)
    if isinstance(value, dict):
        changes = {k: _map_text(v, fn, depth + 1) for k, v in value.items() if k in TEXT_FIELDS}
        changes = {k: v for k, v in changes.items() if v is not value[k]}
        return {**value, **changes} if changes else value
    if isinstance(value, int | float | bool | bytes | type(None)):
        return value
    changes = {}
    for name in TEXT_FIELDS:
        current = getattr(value, name, None)
        if current is not None and not callable(current):
            new = _map_text(current, fn, depth + 1)
            if new is not current:
                changes[name] = new
    return _copy_with(value, changes) if changes else value


def _copy_with(obj: Any, changes: dict[str, Any]) -> Any:
    if hasattr(obj, "model_copy"):  # pydantic v2
        return obj.model_copy(update=changes)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.replace(obj, **changes)
    clone = copy.copy(obj)
    for name, new in changes.items():
        setattr(clone, name, new)
    return clone
