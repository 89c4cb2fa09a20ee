"""Bounded search for a number computed from source figures by one operation.

Operations: difference, sum and average of 2..k figures, percentage change, share (a/b*100), margin
((a-b)/a*100) and ratio (a/b, for "2.3x"). The caller passes a small, relevance-ordered pool of operands;
only *linked* operands combine: same row or sentence, same source and period, or all in focus (mentioned
in the answer or in the best-matching source rows). Share and margin also need one period.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations, permutations

from ._periods import compatible
from ._sources import SourceNumber

__all__ = ["Derivation", "Operand", "derivations"]


@dataclass(frozen=True)
class Operand:
    """A figure usable in a computation: a source number, or a number the answer already grounded."""

    value: float  # magnitude as written
    scale: float
    scale_known: bool
    kind: str
    period: str | None
    segment: int
    source_id: str | None
    decimals: int
    focus: bool  # mentioned in the answer or in a best-matching source row
    ref: SourceNumber | None = None

    @property
    def absolute(self) -> float:
        return self.value * self.scale

    def shown(self) -> str:
        return f"{self.value:,.{self.decimals}f}"


@dataclass(frozen=True)
class Derivation:
    op: str
    operands: tuple[Operand, ...]
    absolute: float  # additive ops: base units; ratio ops: unitless
    written: float | None  # additive ops: in the operands' shared written units, when they share a scale
    additive: bool
    formula: str


def _linked(ops: Sequence[Operand], same_period: bool) -> bool:
    periods_ok = all(compatible(a.period, b.period) for a, b in combinations(ops, 2))
    if same_period and not periods_ok:
        return False
    if len({o.segment for o in ops}) == 1 or all(o.focus for o in ops):
        return True
    return len({o.source_id for o in ops}) == 1 and periods_ok


def _additive(op: str, ops: Sequence[Operand], absolute: float) -> Derivation:
    shared = len({o.scale for o in ops}) == 1
    written = absolute / ops[0].scale if shared else None
    shown = ", ".join(o.shown() for o in ops)
    result = written if written is not None else absolute
    return Derivation(op, tuple(ops), absolute, written, True, f"{op}({shown}) = {result:,.4g}")


def _ratio(op: str, ops: Sequence[Operand], value: float, text: str) -> Derivation:
    return Derivation(op, tuple(ops), value, None, False, f"{op}({text}) = {value:,.4g}")


def _pairs(kind: str, a: Operand, b: Operand) -> Iterator[Derivation]:
    """Operations of an ordered pair that can yield a number of ``kind``."""
    x, y = a.absolute, b.absolute
    both_pct = a.kind == b.kind == "percent"
    plain = a.kind == b.kind == "number"
    additive = kind in ("number", "percent", "points") and (both_pct or (plain and kind == "number"))
    if additive and x >= y and _linked((a, b), False):
        yield _additive("difference", (a, b), x - y)
    chronological = a.period is None or b.period is None or a.period >= b.period  # a is the newer figure
    if kind == "percent" and (plain or both_pct) and y and chronological and _linked((a, b), False):
        yield _ratio("pct_change", (a, b), abs(x - y) / y * 100, f"{b.shown()} → {a.shown()}")
    if kind == "percent" and plain and y and _linked((a, b), True):
        yield _ratio("share", (a, b), x / y * 100, f"{a.shown()} / {b.shown()}")
        if y < x:
            yield _ratio("margin", (a, b), (x - y) / x * 100, f"({a.shown()} - {b.shown()}) / {a.shown()}")
    if kind == "multiple" and plain and y and _linked((a, b), True):
        yield _ratio("ratio", (a, b), x / y, f"{a.shown()} / {b.shown()}")


def derivations(
    kind: str, pool: Sequence[Operand], *, max_k: int = 4, group_pool: int = 8
) -> Iterator[Derivation]:
    """Every derivation of a number of ``kind`` from ``pool``, simplest and most relevant first."""
    for a, b in permutations(pool, 2):
        yield from _pairs(kind, a, b)
    if kind not in ("number", "percent"):
        return
    want = "number" if kind == "number" else "percent"
    members = [o for o in pool if o.kind == want]
    for size in range(2, max_k + 1):
        for ops in combinations(members[: max(group_pool, 2) if size > 2 else len(members)], size):
            if not _linked(ops, False):
                continue
            total = sum(o.absolute for o in ops)
            yield _additive("sum", ops, total)
            yield _additive("average", ops, total / size)
