"""Building blocks of the numeric-grounding generator: figure formatting, answer assembly, planted errors."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

__all__ = ["CURRENCIES", "AnswerBuilder", "Slot", "money", "pct", "plant"]

CURRENCIES = [("$", "USD"), ("€", "EUR"), ("£", "GBP")]
_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")


def money(millions: float, cur: tuple[str, str], style: str) -> str:
    """A money amount given in millions, written in one of several common styles."""
    sym, code = cur
    return {
        "m1": f"{sym}{millions:,.1f} million",
        "m1s": f"{sym}{millions:,.1f}m",
        "code": f"{code} {millions:,.1f} million",
        "mn": f"{code} {millions:,.1f}mn",
        "bn2": f"{sym}{millions / 1000:,.2f} billion",
        "bn1s": f"{sym}{millions / 1000:,.1f}bn",
        "full": f"{sym}{millions * 1e6:,.0f}",
        "thousand": f"{sym}{millions * 1000:,.0f} thousand",
        "bare": f"{millions:,.1f}",
        "k": f"{sym}{millions * 1000:,.0f}k",
    }[style]


def pct(value: float, decimals: int = 1, word: bool = False) -> str:
    return f"{value:.{decimals}f}" + (" percent" if word else "%")


@dataclass
class Slot:
    """One figure of an answer: its correct surface and, per error type, a plausible wrong surface."""

    surface: str
    how: str  # direct | computed
    note: str = ""
    approx: bool = False
    alternatives: dict[str, str] = field(default_factory=dict)


@dataclass
class AnswerBuilder:
    parts: list[str | Slot] = field(default_factory=list)

    def add(self, *pieces: str | Slot) -> AnswerBuilder:
        self.parts.extend(pieces)
        return self

    @property
    def slots(self) -> list[Slot]:
        return [p for p in self.parts if isinstance(p, Slot)]

    def render(self, wrong: dict[int, tuple[str, str]]) -> tuple[str, list[dict[str, object]]]:
        """The answer text and its number labels; ``wrong`` maps slot index to (error type, surface)."""
        text, labels, k = "", [], 0
        for part in self.parts:
            if isinstance(part, str):
                text += part
                continue
            error, surface = wrong.get(k, (None, part.surface))
            labels.append({
                "text": surface, "start": len(text), "end": len(text) + len(surface),
                "correct": error is None, "error": error, "how": part.how, "truth": part.surface,
                "note": part.note,
            })  # fmt: skip
            text += surface
            k += 1
        return text, labels


def _digits_swap(surface: str, rng: random.Random) -> str | None:
    m = _NUM.search(surface)
    if not m:
        return None
    chars = list(m.group(0))
    pos = [i for i, c in enumerate(chars) if c.isdigit()]
    pairs = [(a, b) for a, b in zip(pos, pos[1:], strict=False) if chars[a] != chars[b]]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    chars[a], chars[b] = chars[b], chars[a]
    digits = "".join(chars)
    if digits.lstrip().startswith("0") and not digits.startswith("0."):
        return None
    return surface[: m.start()] + digits + surface[m.end() :]


def _near_miss(surface: str, rng: random.Random) -> str | None:
    m = _NUM.search(surface)
    if not m:
        return None
    raw = m.group(0)
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    value = float(raw.replace(",", ""))
    step = 10.0**-decimals
    shifted = value + rng.choice([-1, 1]) * rng.randint(2, 6) * step
    if shifted <= 0 or abs(shifted - value) / max(value, 1e-9) > 0.2:
        shifted = value + rng.randint(2, 6) * step
    new = f"{shifted:,.{decimals}f}" if "," in raw or value >= 1000 else f"{shifted:.{decimals}f}"
    return surface[: m.start()] + new + surface[m.end() :]


_SCALE_SWAPS = [(" million", " billion"), (" billion", " million"), ("bn", "m"), ("mn", "bn"), ("m", "bn"),
                (" thousand", " million"), ("k", "m")]  # fmt: skip


def _off_by_scale(surface: str, rng: random.Random) -> str | None:
    for old, new in _SCALE_SWAPS:
        if surface.endswith(old) or (old in ("m", "k") and re.search(rf"\d{old}$", surface)):
            return surface[: len(surface) - len(old)] + new
    m = re.fullmatch(r"([^\d]*)(\d[\d,]*\.\d+)", surface)
    if m:  # a bare figure: shift the decimal point by one place
        value = float(m.group(2).replace(",", ""))
        return f"{m.group(1)}{value * 10:,.1f}" if rng.random() < 0.5 else f"{m.group(1)}{value / 10:,.2f}"
    return None


def plant(slot: Slot, rng: random.Random, weights: dict[str, float]) -> tuple[str, str] | None:
    """Pick an error type that applies to ``slot`` and return (type, wrong surface)."""
    options: dict[str, str] = dict(slot.alternatives)
    for name, fn in (
        ("digit_swap", _digits_swap),
        ("off_by_scale", _off_by_scale),
        ("near_miss", _near_miss),
    ):
        if name == "near_miss" and slot.approx:
            continue
        if (wrong := fn(slot.surface, rng)) is not None:
            options[name] = wrong
    options = {k: v for k, v in options.items() if v != slot.surface}
    if not options:
        return None
    names = sorted(options)
    name = rng.choices(names, weights=[weights.get(n, 1.0) for n in names])[0]
    return name, options[name]
