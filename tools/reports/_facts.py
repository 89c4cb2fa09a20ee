"""Facts: one figure of one company for one period, with its citation or its formula.

Values are exact ``Decimal``s in base units (a currency amount in currency units, a percentage as
a percent value, a multiple as a plain ratio). ``display`` renders them the one way the report,
its narrative and the grounding check all use ("USD 1,250.0 million", "12.5%", "0.45x").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from ._answer import round_half_up
from ._numbers import scale_factor

__all__ = ["Fact", "display", "display_scale", "money_in_scale"]

KINDS = ("money", "per_share", "count", "percent", "points", "multiple")


@dataclass(frozen=True)
class Fact:
    company: str
    indicator: str
    period: str  # "FY2019", "Q3 2019", "FY2017-FY2019" (an average)
    value: Decimal
    kind: str  # money | per_share | count | percent | points | multiple
    label: str
    currency: str = ""
    source: str = "table"  # table | text | derived
    citation: dict[str, Any] = field(default_factory=dict)
    formula: str = ""
    inputs: tuple[str, ...] = ()  # keys of the facts a derived figure is computed from
    number: int = 0  # the citation marker [n] in a report

    @property
    def key(self) -> str:
        return f"{self.company}|{self.indicator}|{self.period}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["value"] = str(self.value)
        d["inputs"] = list(self.inputs)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fact:
        d = dict(d)
        d["value"] = Decimal(d["value"])
        d["inputs"] = tuple(d.get("inputs", ()))
        return cls(**d)


def display_scale(facts: list[Fact]) -> str:
    """The scale money is shown in across a report: million, thousand or units."""
    biggest = max((abs(f.value) for f in facts if f.kind == "money"), default=Decimal(0))
    if biggest >= 10_000_000:
        return "million"
    if biggest >= 10_000:
        return "thousand"
    return ""


def money_in_scale(value: Decimal, scale: str) -> Decimal:
    return round_half_up(value / scale_factor(scale), 1)


def _grouped(d: Decimal, places: int) -> str:
    return f"{round_half_up(d, places):,.{places}f}"


def display(fact: Fact, scale: str, *, with_unit: bool = True, signed: bool = False) -> str:
    """The figure as the report writes it ("USD 1,250.0 million", "13.6%", "0.45x", "1,250")."""
    v = fact.value if not signed else fact.value
    if fact.kind == "money":
        text = _grouped(v / scale_factor(scale), 1)
        if not with_unit:
            return text
        unit = f" {scale}" if scale else ""
        return f"{fact.currency} {text}{unit}".strip()
    if fact.kind == "per_share":
        text = _grouped(v, 2)
        return f"{fact.currency} {text}".strip() if with_unit else text
    if fact.kind == "count":
        return _grouped(v, 0)
    if fact.kind == "percent":
        return f"{_grouped(v, 1)}%"
    if fact.kind == "points":
        return f"{_grouped(v, 1)} pp"
    return f"{_grouped(v, 2)}x"
