"""Reversible redaction: sensitive values become stable placeholders such as ``<EMAIL_1>``.

A :class:`Redactor` is the configuration (which kinds, which values are allowed through) and is
stateless; a :class:`RedactionSession` holds the placeholder table so that the same value gets the
same placeholder across many texts and LLM calls (one log triage, one conversation).

Round trip guarantee: ``restore(r.text, r.mapping) == original`` for every input. Text that already
looks like a placeholder (``<IP_3>`` typed by a user, or an earlier redaction's output) is itself
re-issued a placeholder, so restoring can never turn a literal into somebody's address.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ._detectors import DEFAULT_ALLOW, DETECTORS
from ._kinds import PLACEHOLDER_RE, PiiKind, parse_kinds, placeholder

__all__ = ["Redacted", "RedactionSession", "Redactor", "StreamRestorer", "restore"]

_Span = tuple[int, int, PiiKind]


def restore(text: str, mapping: Mapping[str, str], *, kinds: Iterable[PiiKind | str] | None = None) -> str:
    """Put the originals back for every placeholder in ``mapping``; unknown placeholders stay as they are.

    ``kinds`` restores only those kinds, e.g. ``kinds=["EMAIL", "IP"]`` to show a reply to a user
    who may see addresses but not secrets.
    """
    if not mapping or "<" not in text:
        return text
    if kinds is None:
        return PLACEHOLDER_RE.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)
    wanted = {k.value for k in parse_kinds(kinds)}
    return PLACEHOLDER_RE.sub(
        lambda m: mapping.get(m.group(0), m.group(0)) if m.group(1) in wanted else m.group(0), text
    )


@dataclass(frozen=True, slots=True)
class Redacted:
    """One redacted text and the placeholders it uses (placeholder -> original)."""

    text: str
    mapping: Mapping[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.mapping)

    def restore(self, text: str | None = None) -> str:
        """Restore ``text`` (default: this redacted text) using this result's placeholders."""
        return restore(self.text if text is None else text, self.mapping)


class Redactor:
    """Finds sensitive values. Stateless and thread-safe; build one and share it.

    ``kinds`` selects what to look for (default: every :class:`PiiKind`); ``allow`` lists exact values
    that are never redacted, added to :data:`DEFAULT_ALLOW` (loopback addresses, ``Public``...) unless
    ``allow_defaults=False``.
    """

    def __init__(
        self,
        kinds: Iterable[PiiKind | str] | None = None,
        *,
        allow: Iterable[str] = (),
        allow_defaults: bool = True,
    ) -> None:
        self.kinds = parse_kinds(kinds)
        self.allow = frozenset(allow) | (DEFAULT_ALLOW if allow_defaults else frozenset())
        self._detectors = tuple(d for d in DETECTORS if d.kind in self.kinds)

    def __repr__(self) -> str:
        return f"Redactor(kinds={sorted(self.kinds)})"

    def session(self) -> RedactionSession:
        return RedactionSession(self)

    def redact(self, text: str, session: RedactionSession | None = None) -> Redacted:
        """Redact one text, in ``session`` if given (else in a fresh one)."""
        return (RedactionSession(self) if session is None else session).redact(text)

    def find(self, text: str) -> list[_Span]:
        """The spans that would be replaced, as sorted, non-overlapping ``(start, end, kind)``."""
        lowered: str | None = None
        taken: list[_Span] = []
        for det in self._detectors:
            if det.hints:
                lowered = text.lower() if lowered is None else lowered
                if not any(h in lowered for h in det.hints):
                    continue
            for start, end in det.spans(text):
                if text[start:end] in self.allow or _overlaps(taken, start, end):
                    continue
                taken.append((start, end, det.kind))
        if "<" in text:
            _absorb_literal_placeholders(text, taken)
        taken.sort()
        return taken


def _overlaps(taken: list[_Span], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e, _ in taken)


def _absorb_literal_placeholders(text: str, taken: list[_Span]) -> None:
    """Make every placeholder-shaped literal part of a replaced span (see module docstring)."""
    for m in PLACEHOLDER_RE.finditer(text):
        start, end = m.span()
        hits = [t for t in taken if t[0] < end and start < t[1]]
        if not hits:
            taken.append((start, end, PiiKind(m.group(1))))
        elif not any(s <= start and end <= e for s, e, _ in hits):
            # a detection ends or starts inside the literal: widen it to swallow the literal whole
            for t in hits:
                taken.remove(t)
            merged_start = min(start, *(s for s, _, _ in hits))
            merged_end = max(end, *(e for _, e, _ in hits))
            taken.append((merged_start, merged_end, hits[0][2]))


class RedactionSession:
    """A placeholder table shared by many redactions, so ``alice@x.com`` is ``<EMAIL_1>`` everywhere.

    Use one per conversation or per batch job and keep it for restoring the model's replies. Methods
    are thread-safe. The table only grows; drop the session to forget the originals.
    """

    def __init__(self, redactor: Redactor | None = None) -> None:
        self.redactor = Redactor() if redactor is None else redactor
        self._forward: dict[tuple[PiiKind, str], str] = {}
        self._reverse: dict[str, str] = {}
        self._counters: dict[PiiKind, int] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._reverse)

    def __repr__(self) -> str:
        return f"RedactionSession({len(self)} placeholders, {self.redactor!r})"

    @property
    def mapping(self) -> Mapping[str, str]:
        """Every placeholder issued so far -> its original (a read-only live view)."""
        return MappingProxyType(self._reverse)

    def redact(self, text: str) -> Redacted:
        spans = self.redactor.find(text)
        if not spans:
            return Redacted(text, {})
        parts: list[str] = []
        used: dict[str, str] = {}
        pos = 0
        with self._lock:
            for start, end, kind in spans:
                original = text[start:end]
                ph = self._placeholder_for(kind, original)
                parts.append(text[pos:start])
                parts.append(ph)
                used[ph] = original
                pos = end
        parts.append(text[pos:])
        return Redacted("".join(parts), used)

    def redact_text(self, text: str) -> str:
        """Just the redacted text (placeholders stay in this session)."""
        return self.redact(text).text

    def redact_many(self, texts: Iterable[str]) -> list[Redacted]:
        return [self.redact(t) for t in texts]

    def restore(self, text: str, *, kinds: Iterable[PiiKind | str] | None = None) -> str:
        """Restore the placeholders this session has issued (only ``kinds``, if given)."""
        return restore(text, self._reverse, kinds=kinds)

    def stream_restorer(self) -> StreamRestorer:
        """An incremental :func:`restore` for streamed model output (placeholders split across chunks)."""
        return StreamRestorer(self._reverse)

    def _placeholder_for(self, kind: PiiKind, original: str) -> str:
        key = (kind, original)
        ph = self._forward.get(key)
        if ph is None:
            n = self._counters.get(kind, 0) + 1
            self._counters[kind] = n
            ph = placeholder(kind, n)
            self._forward[key] = ph
            self._reverse[ph] = original
        return ph


_PARTIAL_PLACEHOLDER = re.compile(r"<[A-Z]{0,7}(?:_[0-9]{0,9})?")


class StreamRestorer:
    """Restores placeholders in a stream of chunks, holding back a trailing partial ``<EMAI``."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._mapping = mapping
        self._buffer = ""

    def feed(self, chunk: str) -> str:
        buf = self._buffer + chunk
        cut = buf.rfind("<")
        if cut >= 0 and _PARTIAL_PLACEHOLDER.fullmatch(buf, cut):
            self._buffer = buf[cut:]
            buf = buf[:cut]
        else:
            self._buffer = ""
        return restore(buf, self._mapping)

    def flush(self) -> str:
        rest, self._buffer = self._buffer, ""
        return restore(rest, self._mapping)
