"""Sources and the index of their numbers: each figure with its scale, period, row or sentence, and citation.

A source is text (prose and tables rendered as text) plus optional structured cells. Text is cut into
segments: a table row is one line; prose is cut into sentences. A table header line ("  FY2023  FY2022",
"| Metric | 2023 | 2022 |") gives the figures under it their periods, aligned column by column from the
right. A declared scale ("(in millions)", "USD '000", "$m") applies to unscaled figures from the
declaration on (and to the ones before the first declaration).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ._numbers import CHECKABLE_KINDS, detect_scale, extract_numbers
from ._periods import attach_periods, find_periods

__all__ = [
    "Cell",
    "Citation",
    "Segment",
    "Source",
    "SourceIndex",
    "SourceNumber",
    "content_words",
    "sentence_spans",
]

_STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "from",
        "by",
        "with",
        "at",
        "as",
        "is",
        "was",
        "were",
        "be",
        "been",
        "are",
        "its",
        "it",
        "this",
        "that",
        "these",
        "those",
        "than",
        "then",
        "which",
        "who",
        "what",
        "when",
        "where",
        "while",
        "into",
        "over",
        "under",
        "per",
        "vs",
        "versus",
        "up",
        "down",
        "about",
        "approximately",
        "year",
        "years",
        "fiscal",
        "quarter",
        "compared",
        "prior",
        "previous",
        "same",
        "period",
        "reported",
        "company",
        "group",
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "billions",
        "usd",
        "eur",
        "gbp",
        "dollars",
        "euros",
        "pounds",
    ]
)
_WORD = re.compile(r"[a-z][a-z&]{2,}")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=\S)|\n+")
_ABBREVIATION = re.compile(
    r"(?i)(?:\b(?:vs|e\.g|i\.e|approx|etc|no|inc|ltd|co|corp|fig|sec|mr|ms|dr|st|u\.s))\.$"
)
_TABULAR = re.compile(r"\S(?: {2,}|\t| *\| *)\S")
_CHUNK_SPLIT = re.compile(r" {2,}|\t|\|")


@dataclass(frozen=True)
class Cell:
    """A structured table cell: a value (number or text such as "1,496.5" or "12.5%") and its citation."""

    value: float | int | str
    citation: str


@dataclass(frozen=True)
class Source:
    """A retrieved document: an id, its text, and optionally structured cells (e.g. from a spreadsheet)."""

    id: str
    text: str = ""
    cells: Sequence[Cell | tuple[float | int | str, str]] = field(default_factory=tuple)


@dataclass(frozen=True)
class Citation:
    """Where a source number was found: source id, character span in its text (None for cells), context."""

    source_id: str
    start: int | None
    end: int | None
    snippet: str


@dataclass(frozen=True)
class SourceNumber:
    """A figure in a source. ``value`` is unsigned and as written; ``absolute`` applies the scale."""

    source_id: str
    value: float
    decimals: int
    scale: float
    scale_known: bool
    kind: str
    period: str | None
    segment: int
    citation: Citation
    plain: bool = False  # a bare table figure: no currency, scale word or unit

    @property
    def absolute(self) -> float:
        return self.value * self.scale


@dataclass(frozen=True)
class Segment:
    """A table row or a prose sentence (or a group of cells sharing a row label)."""

    index: int
    source_id: str
    text: str
    words: frozenset[str]


def content_words(text: str) -> frozenset[str]:
    """Lower-cased content words, plural "s" stripped ("embeddings" and "embedding" meet)."""
    words = (w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS)
    return frozenset(w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence (and line) spans of ``text``; empty pieces are dropped."""
    spans, pos = [], 0
    for m in _SENTENCE_END.finditer(text):
        if "\n" not in m.group(0) and _ABBREVIATION.search(text[max(pos, m.start() - 8) : m.start()]):
            continue
        if text[pos : m.start()].strip():
            spans.append((pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        spans.append((pos, len(text)))
    return spans


def _chunks(line: str, offset: int) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for piece in _CHUNK_SPLIT.split(line):
        start = line.index(piece, pos) if piece else pos
        pos = start + len(piece)
        if piece.strip() and not set(piece.strip()) <= set("-:= "):
            out.append((offset + start, offset + pos, piece.strip()))
    return out


class SourceIndex:
    """All figures of a set of sources, by segment, with period and scale resolved."""

    def __init__(self, sources: Iterable[Source]) -> None:
        self.numbers: list[SourceNumber] = []
        self.segments: list[Segment] = []
        self.periods: set[str] = set()
        self.by_segment: dict[int, list[SourceNumber]] = {}
        for source in sources:
            self._add_text(source)
            self._add_cells(source)
        for n in self.numbers:
            self.by_segment.setdefault(n.segment, []).append(n)
        self._df: dict[str, int] = {}
        for seg in self.segments:
            for w in seg.words:
                self._df[w] = self._df.get(w, 0) + 1

    def _segment(self, source_id: str, text: str) -> int:
        self.segments.append(Segment(len(self.segments), source_id, text, content_words(text)))
        return len(self.segments) - 1

    def _add_text(self, source: Source) -> None:
        text = source.text
        periods = find_periods(text)
        self.periods.update(p.label for p in periods if p.label)
        mentions = [m for m in extract_numbers(text, periods) if m.kind in CHECKABLE_KINDS]
        num_starts, per_starts = [m.start for m in mentions], [p.start for p in periods]
        scale = detect_scale(text)
        first_line = text.lstrip().split("\n", 1)[0]
        lead = next((p.label for p in find_periods(first_line) if p.label), None)
        header: list[tuple[int, int, str | None]] | None = None
        pos = 0
        for line in text.split("\n"):
            lstart, lend = pos, pos + len(line)
            pos = lend + 1
            if not line.strip():
                continue
            if declared := detect_scale(line):
                scale = declared
            line_nums = mentions[bisect_left(num_starts, lstart) : bisect_left(num_starts, lend)]
            line_pers = [
                p for p in periods[bisect_left(per_starts, lstart) : bisect_left(per_starts, lend)] if p.label
            ]
            tabular = bool(_TABULAR.search(line.strip()))
            if line_pers and not line_nums and (tabular or len(line_pers) >= 2):
                header = [(s, e, next((p.label for p in line_pers if s <= p.start < e), None))
                          for s, e, _ in _chunks(line, lstart)]  # fmt: skip
                continue
            if not tabular:
                header = None
            pieces = (
                [(lstart, lend)] if tabular else [(lstart + s, lstart + e) for s, e in sentence_spans(line)]
            )
            for s, e in pieces:
                nums = [m for m in line_nums if s <= m.start < e]
                if tabular and header:
                    chunks = _chunks(line, lstart)
                    labels = []
                    for m in nums:
                        idx = next((i for i, c in enumerate(chunks) if c[0] <= m.start < c[1]), None)
                        offset = len(chunks) - idx if idx is not None else 0
                        labels.append(header[-offset][2] if 0 < offset <= len(header) and idx else None)
                else:
                    pers = [p for p in line_pers if s <= p.start < e]
                    labels = [
                        label or lead
                        for label in attach_periods(text, [(m.start, m.end) for m in nums], pers)
                    ]
                seg = self._segment(source.id, text[s:e].strip())
                for m, label in zip(nums, labels, strict=True):
                    eff = m.scale or (scale if m.kind == "number" else None)
                    self.numbers.append(SourceNumber(
                        source.id, abs(m.value), m.decimals, eff or 1.0, eff is not None, m.kind, label, seg,
                        Citation(source.id, m.start, m.end, text[s:e].strip()),
                        tabular and not (m.currency or m.scale or m.unit),
                    ))  # fmt: skip

    def _add_cells(self, source: Source) -> None:
        rows: dict[str, int] = {}
        for raw in source.cells:
            cell = raw if isinstance(raw, Cell) else Cell(*raw)
            periods = find_periods(cell.citation)
            label = next((p.label for p in periods if p.label), None)
            if label:
                self.periods.add(label)
            row_text = cell.citation
            for p in reversed(periods):
                row_text = row_text[: p.start] + row_text[p.end :]
            key = " ".join(sorted(content_words(row_text)))
            if key not in rows:
                rows[key] = self._segment(source.id, row_text.strip())
            if isinstance(cell.value, str):
                found = [m for m in extract_numbers(cell.value) if m.kind in CHECKABLE_KINDS]
                if not found:
                    continue
                m = found[0]
                value, decimals, kind, scale = abs(m.value), m.decimals, m.kind, m.scale
                plain = not (m.currency or m.scale or m.unit)
            else:
                value, kind, scale, plain = abs(float(cell.value)), "number", None, True
                decimals = 0 if float(cell.value).is_integer() else len(repr(float(cell.value)).split(".")[1])
            eff = scale or (detect_scale(cell.citation) if kind == "number" else None)
            cite = Citation(source.id, None, None, cell.citation)
            self.numbers.append(
                SourceNumber(
                    source.id,
                    value,
                    decimals,
                    eff or 1.0,
                    eff is not None,
                    kind,
                    label,
                    rows[key],
                    cite,
                    plain,
                )
            )

    def relevance(self, words: frozenset[str], segment: int) -> float:
        """IDF-weighted overlap between some content words and a segment."""
        return sum(1.0 / self._df[w] for w in words & self.segments[segment].words)
