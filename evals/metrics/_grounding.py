"""Numeric grounding: is every figure in an answer found in, or computable from, the sources?

Each checkable number gets a verdict: ``grounded_direct`` (the figure is in a source after normalising
format and scale), ``grounded_computed`` (one operation over a few linked source figures gives it, within
the rounding the answer shows) or ``ungrounded``. A figure that matches a source value of another period
than the one the answer states ("2023 revenue of X" where X is the 2022 value) is ungrounded. Years,
dates, ordinals, list markers and references are reported as ``ignored``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ._compute import Derivation, Operand, derivations
from ._numbers import NumberMention, detect_scale, extract_numbers
from ._periods import attach_periods, compatible, find_periods
from ._sources import Citation, Source, SourceIndex, SourceNumber, content_words, sentence_spans

__all__ = ["GroundingReport", "NumberVerdict", "Verdict", "check_indexed", "check_numbers"]

_EXPANSIONS = {
    "margin": {"revenue", "sales"}, "share": {"total", "revenue", "sales"},
    "accounted": {"total", "revenue"}, "proportion": {"total"}, "percent": {"total"},
}  # fmt: skip
_MAX_LEXICAL_SEGMENTS = 4
_MOVEMENT = re.compile(
    r"(?i)\b(?:rose|rise[sn]?|grew|grow[sn]?|increas\w*|climb\w*|jump\w*|improv\w*|fell|fall\w*|declin\w*|"
    r"decreas\w*|drop\w*|slipp?\w*|narrow\w*|widen\w*|expand\w*|contract\w*|up|down|gain\w*)\b"
)
_ROLE_BEFORE = re.compile(
    r"(?i)(?:(?<!compared )(?<!relative )(?<!equal )\b(to|from)|\b(versus|vs\.?|compared\s+(?:with|to)|against))"
    r"\s+(?:about\s+|approximately\s+|roughly\s+|nearly\s+)?$"
)
_EARLIER_AFTER = re.compile(
    r"(?i)^\s*(?:a\s+year\s+(?:earlier|ago|before)|(?:in\s+)?the\s+(?:prior|previous)\s+year|the\s+year\s+before|"
    r"last\s+year)\b"
)


class Verdict(StrEnum):
    GROUNDED_DIRECT = "grounded_direct"
    GROUNDED_COMPUTED = "grounded_computed"
    UNGROUNDED = "ungrounded"
    IGNORED = "ignored"


@dataclass(frozen=True)
class NumberVerdict:
    number: NumberMention
    verdict: Verdict
    citations: tuple[Citation, ...] = ()
    formula: str | None = None
    source_values: tuple[float, ...] = ()
    period: str | None = None
    reason: str = ""

    @property
    def grounded(self) -> bool:
        return self.verdict in (Verdict.GROUNDED_DIRECT, Verdict.GROUNDED_COMPUTED)


@dataclass(frozen=True)
class GroundingReport:
    numbers: tuple[NumberVerdict, ...]

    @property
    def checked(self) -> tuple[NumberVerdict, ...]:
        return tuple(v for v in self.numbers if v.verdict is not Verdict.IGNORED)

    @property
    def ungrounded(self) -> tuple[NumberVerdict, ...]:
        return tuple(v for v in self.numbers if v.verdict is Verdict.UNGROUNDED)

    @property
    def score(self) -> float:
        """Fraction of checked numbers that are grounded (1.0 when there is nothing to check)."""
        checked = self.checked
        return sum(v.grounded for v in checked) / len(checked) if checked else 1.0

    @property
    def ok(self) -> bool:
        return not self.ungrounded


def tolerance(m: NumberMention) -> float:
    """Half a unit in the last place shown (in the number's written units); wider for "about 1,500"."""
    tol = 0.5 * 10.0**-m.decimals
    if m.approx:
        digits = f"{abs(m.value):.0f}"
        zeros = len(digits) - len(digits.rstrip("0")) if m.decimals == 0 and digits != "0" else 0
        tol = max(tol, 0.5 * 10.0**zeros, 0.03 * abs(m.value))
    return tol


def _close(m: NumberMention, absolute: float, written: float | None, scale_known: bool, additive: bool,
           answer_scale: float | None) -> bool:  # fmt: skip
    v, tol = abs(m.value), tolerance(m)
    if m.kind == "points" and m.unit == "bp":
        v, tol = v / 100, tol / 100
    slack = 1e-11 * max(1.0, v)
    if not additive:
        return abs(v - absolute) <= tol + slack
    if m.scale is not None:
        if abs(v * m.scale - absolute) <= (tol + slack) * m.scale:
            return True
        return not scale_known and written is not None and abs(v - written) <= tol + slack
    if written is not None and abs(v - written) <= tol + slack:
        return True
    if abs(v - absolute) <= tol + slack:
        return True
    return answer_scale is not None and abs(v * answer_scale - absolute) <= (tol + slack) * answer_scale


def _direct(m: NumberMention, n: SourceNumber, answer_scale: float | None) -> bool:
    if m.kind == "number":
        known = n.scale_known or not n.plain  # "$1,496.5" or "23.9p" are not bare table cells
        return n.kind == "number" and _close(m, n.absolute, n.value, known, True, answer_scale)
    if m.kind == "percent" and not (
        n.kind in ("percent", "points") or (n.kind == "number" and n.plain and not n.scale_known)
    ):
        return False
    if m.kind in ("points", "multiple") and n.kind not in (m.kind, "number"):
        return False
    return _close(m, n.value, None, True, False, None) or (m.unit == "bp" and abs(m.value - n.value) < 0.5)


def _operand(n: SourceNumber, focus: bool) -> Operand:
    return Operand(
        n.value, n.scale, n.scale_known, n.kind, n.period, n.segment, n.source_id, n.decimals, focus, n
    )


def _answer_operand(m: NumberMention, period: str | None, segment: int) -> Operand:
    kind = "percent" if m.kind in ("percent", "points") else m.kind
    return Operand(
        abs(m.value), m.scale or 1.0, m.scale is not None, kind, period, segment, None, m.decimals, True
    )


class _Checker:
    def __init__(self, answer: str, index: SourceIndex, max_pool: int, max_k: int) -> None:
        self.index = index
        self.answer = answer
        self.answer_scale = detect_scale(answer)
        self.max_pool, self.max_k = max_pool, max_k
        periods = find_periods(answer)
        self.mentions = extract_numbers(answer, periods)
        self.sentences = sentence_spans(answer) or [(0, len(answer))]
        self.sentence_of = [next((i for i, (s, e) in enumerate(self.sentences) if s <= m.start < e), 0)
                            for m in self.mentions]  # fmt: skip
        self.words = [content_words(answer[s:e]) for s, e in self.sentences]
        self.period: list[str | None] = [None] * len(self.mentions)
        for si, (s, e) in enumerate(self.sentences):
            idx = [i for i, m in enumerate(self.mentions) if self.sentence_of[i] == si and m.checkable]
            pers = [p for p in periods if s <= p.start < e]
            labels = attach_periods(
                answer, [(self.mentions[i].start, self.mentions[i].end) for i in idx], pers
            )
            for i, label in zip(idx, labels, strict=True):
                self.period[i] = label
        self.verdicts: list[NumberVerdict | None] = [None] * len(self.mentions)
        self.matched: dict[int, SourceNumber] = {}  # direct matches
        self.context: dict[int, SourceNumber] = {}  # rows of figures flagged for their period: still relevant

    def _rank(self, i: int, cands: list[SourceNumber]) -> SourceNumber:
        words = self.words[self.sentence_of[i]]
        return max(cands, key=lambda n: self.index.relevance(words, n.segment))

    def direct(self, i: int) -> NumberVerdict | None:
        m, period = self.mentions[i], self.period[i]
        cands = [n for n in self.index.numbers if _direct(m, n, self.answer_scale)]
        if not cands:
            return None
        same = [n for n in cands if compatible(n.period, period)]
        role = self._role(i) if period is None else None
        if role and same and not (same := [n for n in same if self._fits_role(n, role)]):
            best = self.context[i] = self._rank(i, cands)
            reason = f"the answer gives it as the {'newer' if role == 'to' else 'earlier'} figure, the sources " \
                     f"give it for {best.period}"  # fmt: skip
            return NumberVerdict(m, Verdict.UNGROUNDED, (best.citation,), None, (best.value,), period, reason)
        if same:
            best = self.matched[i] = self._rank(i, same)
            return NumberVerdict(m, Verdict.GROUNDED_DIRECT, (best.citation,), None, (best.value,), period)
        best = self._rank(i, cands)
        rows_have_period = any(
            o.period is not None and compatible(o.period, period)
            for n in cands for o in self.index.by_segment.get(n.segment, ())
        )  # fmt: skip
        unknown_period = self.index.periods and not any(compatible(p, period) for p in self.index.periods)
        if rows_have_period or unknown_period:
            self.context[i] = best
            reason = f"the sources give this figure for {best.period}, the answer states it for {period}"
            return self.computed(i) or NumberVerdict(
                m, Verdict.UNGROUNDED, (best.citation,), None, (best.value,), period, reason
            )
        self.matched[i] = best
        return NumberVerdict(m, Verdict.GROUNDED_DIRECT, (best.citation,), None, (best.value,), period)

    def _role(self, i: int) -> str | None:
        """ "to" or "from" when the figure is the end or the start of a movement ("rose from X to Y")."""
        start, end = self.sentences[self.sentence_of[i]]
        before = self.answer[start : self.mentions[i].start]
        if _EARLIER_AFTER.match(self.answer[self.mentions[i].end : end]):
            return "from"
        m = _ROLE_BEFORE.search(before)
        if m and m.group(2):
            return "from"
        return m.group(1).lower() if m and _MOVEMENT.search(before) else None

    def _fits_role(self, n: SourceNumber, role: str) -> bool:
        periods = sorted({o.period for o in self.index.by_segment.get(n.segment, ()) if o.period})
        if n.period is None or len(periods) < 2:
            return True
        return n.period != periods[0] if role == "to" else n.period != periods[-1]

    def _pool(self, i: int) -> list[Operand]:
        si = self.sentence_of[i]
        pool: list[Operand] = []
        seen: set[int] = set()

        def add(n: SourceNumber, focus: bool) -> None:
            if id(n) not in seen and len(pool) < self.max_pool:
                seen.add(id(n))
                pool.append(_operand(n, focus))

        anchors: list[SourceNumber] = []
        for sentence in (si, si - 1):
            for j, v in enumerate(self.verdicts):
                if j == i or v is None or self.sentence_of[j] != sentence:
                    continue
                if not v.grounded:
                    if j in self.context:
                        anchors.append(self.context[j])
                    continue
                if j in self.matched:
                    anchors.append(self.matched[j])
                elif len(pool) < self.max_pool:
                    pool.append(_answer_operand(self.mentions[j], self.period[j], -1 - j))
        for n in anchors:
            add(n, True)
        for n in anchors:
            for o in self.index.by_segment.get(n.segment, ()):
                add(o, False)
        for seg in self._relevant_segments(si):
            for n in self.index.by_segment.get(seg, ()):
                add(n, True)
        return pool

    def _relevant_segments(self, si: int) -> list[int]:
        """The source rows that best match sentence ``si`` (or, failing that, the sentence before it)."""
        for sentence in (si, si - 1):
            if sentence < 0:
                break
            words = set(self.words[sentence])
            for w in list(words):
                words |= _EXPANSIONS.get(w, set())
            scored = sorted(
                (
                    (self.index.relevance(frozenset(words), seg.index), seg.index)
                    for seg in self.index.segments
                ),
                key=lambda t: -t[0],
            )
            top = [seg for score, seg in scored[:_MAX_LEXICAL_SEGMENTS] if score > 0]
            if top:
                return top
        return []

    def computed(self, i: int) -> NumberVerdict | None:
        m, period = self.mentions[i], self.period[i]
        pool = self._pool(i)
        for d in derivations(m.kind, pool, max_k=self.max_k):
            if period is not None and not any(compatible(o.period, period) for o in d.operands):
                continue
            scale_known = all(o.scale_known for o in d.operands)
            if _close(m, d.absolute, d.written, scale_known, d.additive, self.answer_scale):
                return _computed_verdict(m, d, period)
        return None


def _computed_verdict(m: NumberMention, d: Derivation, period: str | None) -> NumberVerdict:
    cites = tuple(o.ref.citation for o in d.operands if o.ref is not None)
    values = tuple(o.value for o in d.operands)
    return NumberVerdict(m, Verdict.GROUNDED_COMPUTED, cites, d.formula, values, period)


def check_numbers(
    answer: str, sources: Sequence[Source], *, max_pool: int = 16, max_k: int = 4
) -> GroundingReport:
    """Verdict for every number in ``answer`` against ``sources``.

    ``max_pool`` caps the operands tried for computed figures and ``max_k`` the size of sums and averages,
    so the search stays bounded on long documents.
    """
    return check_indexed(answer, SourceIndex(sources), max_pool=max_pool, max_k=max_k)


def check_indexed(answer: str, index: SourceIndex, *, max_pool: int = 16, max_k: int = 4) -> GroundingReport:
    """``check_numbers`` against an already built ``SourceIndex`` (to check many answers against one corpus)."""
    c = _Checker(answer, index, max_pool, max_k)
    for i, m in enumerate(c.mentions):
        if not m.checkable:
            c.verdicts[i] = NumberVerdict(m, Verdict.IGNORED, reason=m.kind)
        else:
            c.verdicts[i] = c.direct(i)
    for i, m in enumerate(c.mentions):
        if c.verdicts[i] is None:
            c.verdicts[i] = c.computed(i) or NumberVerdict(
                m,
                Verdict.UNGROUNDED,
                period=c.period[i],
                reason="not found in or computable from the sources",
            )
    return GroundingReport(tuple(v for v in c.verdicts if v is not None))
