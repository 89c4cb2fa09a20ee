"""Results of ``answer()``: an ``Answer`` with its figures' citations and formula, or ``Declined``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ._citation import Citation

__all__ = ["Answer", "Declined", "format_decimal", "round_half_up"]


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round like a financial report does (half away from zero), to ``places`` decimals."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_decimal(value: Decimal, *, grouping: bool = False) -> str:
    """Plain string of a Decimal without exponent or trailing zeros ("-12.6", "1,496.5")."""
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    text = f"{value:,f}" if grouping else f"{value:f}"
    return "0" if text in ("-0", "-0.0") else text


@dataclass(frozen=True)
class Answer:
    """A confident answer.

    ``value`` is a ``Decimal`` for arithmetic and counts (rounded to 2 decimals; ``exact`` keeps
    the unrounded result), the verbatim cell text for a span, or a list of cell texts for a
    multi-span answer. ``scale`` is one of "", "thousand", "million", "billion", "percent"; a
    percentage is reported as a percent value (12.5 with scale "percent" means 12.5%).
    """

    value: Decimal | str | list[str]
    scale: str
    answer_type: str  # span | multi-span | arithmetic | count
    operation: str  # lookup, difference, percentage_change, average, sum, ratio, argmax, ...
    formula: str
    cells: tuple[Citation, ...]
    confidence: float
    exact: Decimal | None = None
    notes: tuple[str, ...] = field(default=())

    def to_tatqa(self) -> tuple[str | list[str], str]:
        """The TAT-QA prediction pair ``[answer, scale]`` (numbers as strings)."""
        if isinstance(self.value, Decimal):
            return format_decimal(self.value), self.scale
        if isinstance(self.value, list):
            return list(self.value), self.scale
        return self.value, self.scale

    def __str__(self) -> str:
        value = self.to_tatqa()[0]
        scale = f" {self.scale}" if self.scale else ""
        return f"{value}{scale}  [{self.operation}: {self.formula}]"


@dataclass(frozen=True)
class Declined:
    """The engine would rather not answer; ``reason`` says why, ``confidence`` how close it came."""

    reason: str
    confidence: float = 0.0

    def __bool__(self) -> bool:
        return False
