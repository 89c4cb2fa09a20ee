"""The report's sections, written from facts: tables of figures and a templated narrative.

Sections: summary, KPI table by period, trends, peer comparison (with peers), the analyst's view
(strengths, weaknesses, risks) and sources. Every figure is written by ``display`` and followed by
its citation marker; narrative sections are the drafts an LLM may rewrite (``_narrate``).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ._facts import Fact, display
from ._indicators import INDICATORS

__all__ = ["NARRATIVE", "TITLES", "Book", "section_keys", "write_section"]

TITLES = {
    "summary": "Summary",
    "kpis": "Key figures by period",
    "trends": "Trends",
    "peers": "Peer comparison",
    "view": "Analyst's view",
    "sources": "Sources",
}
NARRATIVE = ("summary", "trends", "peers", "view")
KPI_DERIVED = ("gross_margin", "operating_margin", "ebitda_margin", "net_margin", "revenue_growth", "net_income_growth",
               "roe", "debt_to_equity", "net_debt", "cash_to_debt")  # fmt: skip
PEER_COLUMNS = (
    "revenue",
    "revenue_growth",
    "gross_margin",
    "operating_margin",
    "net_margin",
    "roe",
    "debt_to_equity",
)
MAX_PERIODS = 4


def section_keys(peers: list[str]) -> list[str]:
    return [k for k in TITLES if k != "peers" or peers]


class Book:
    """The facts of one report, numbered, and the helpers sections are written with."""

    def __init__(self, company: str, peers: list[str], facts: list[Fact], scale: str) -> None:
        self.company, self.peers, self.facts, self.scale = company, peers, facts, scale
        self.by = {(f.company, f.indicator, f.period): f for f in facts}
        self.by_key = {f.key: f for f in facts}

    def get(self, company: str, indicator: str, period: str | None) -> Fact | None:
        return self.by.get((company, indicator, period)) if period else None

    def periods(self, company: str) -> list[str]:
        """The company's reporting periods, oldest first: fiscal years, or quarters when there are none."""
        got = {f.period for f in self.facts if f.company == company and f.source != "derived"}
        annual = sorted(p for p in got if p.startswith("FY"))
        quarters = sorted((p for p in got if p.startswith("Q")), key=lambda p: (p[3:], p[:2]))
        return (annual or quarters)[-MAX_PERIODS:]

    def latest(self, company: str, indicator: str = "revenue") -> str | None:
        ps = [p for p in self.periods(company) if self.get(company, indicator, p)]
        if ps:
            return ps[-1]
        every = self.periods(company)
        return every[-1] if every else None

    def fig(self, f: Fact, *, magnitude: bool = False) -> str:
        shown = replace(f, value=abs(f.value)) if magnitude else f
        return f"{display(shown, self.scale)} [{f.number}]"

    def cell(self, f: Fact | None) -> str:
        if f is None:
            return "–"
        return f"{display(f, self.scale, with_unit=f.kind != 'money')} [{f.number}]"

    def money_note(self, companies: list[str]) -> str:
        currencies = sorted(
            {f.currency for f in self.facts if f.company in companies and f.kind == "money" and f.currency}
        )
        unit = {"million": "millions", "thousand": "thousands"}.get(self.scale, "units")
        cur = "/".join(currencies) or "reported currency"
        return f"_Amounts in {cur} {unit}; per-share amounts in {cur}; margins, growth and returns in %._"


def _up(f: Fact, up: str = "up", down: str = "down") -> str:
    return up if f.value >= 0 else down


def _summary(b: Book) -> str:
    c = b.company
    p = b.latest(c)
    if p is None:
        return f"The documents for {c} contain no figures that could be read as financial indicators."
    out: list[str] = []
    rev, growth = b.get(c, "revenue", p), b.get(c, "revenue_growth", p)
    if rev is not None:
        s = f"{c} reported revenue of {b.fig(rev)} in {p}"
        if growth is not None:
            s += f", {_up(growth)} {b.fig(growth, magnitude=True)} on the prior year"
        out.append(s + ".")
    oi, om = b.get(c, "operating_income", p), b.get(c, "operating_margin", p)
    if oi is not None:
        out.append(
            f"Operating income was {b.fig(oi)}" + (f", an operating margin of {b.fig(om)}." if om else ".")
        )
    ni, nm = b.get(c, "net_income", p), b.get(c, "net_margin", p)
    if ni is not None:
        word = "Net income" if ni.value >= 0 else "The net loss"
        out.append(f"{word} was {b.fig(ni, magnitude=True)}" + (f" (net margin {b.fig(nm)})." if nm else "."))
    fcf = b.get(c, "free_cash_flow", p)
    if fcf is not None:
        out.append(f"Free cash flow was {b.fig(fcf)}.")
    if b.peers:
        out.append(f"The report compares {c} with {_join(b.peers)}.")
    missing = [
        _lower(i.label)
        for i in INDICATORS
        if not any(f.company == c and f.indicator == i.key for f in b.facts)
    ]
    if missing:
        out.append(f"The documents do not report {_join(missing)}.")
    return " ".join(out)


def _kpis(b: Book) -> str:
    parts: list[str] = [b.money_note([b.company, *b.peers])]
    for c in [b.company, *b.peers]:
        periods = b.periods(c)
        if not periods:
            continue
        rows = []
        keys = [i.key for i in INDICATORS] + list(KPI_DERIVED)
        for key in keys:
            cells = [b.get(c, key, p) for p in periods]
            if any(cells):
                label = next(f.label for f in cells if f)
                rows.append(f"| {label} | " + " | ".join(b.cell(f) for f in cells) + " |")
        parts += ["", f"### {c}", "", "| Indicator | " + " | ".join(periods) + " |",
                  "|---|" + "---:|" * len(periods), *rows]  # fmt: skip
    return "\n".join(parts)


def _series(b: Book, c: str, key: str, noun: str) -> str | None:
    got = [f for p in b.periods(c) if (f := b.get(c, key, p))]
    if len(got) < 2:
        return f"{noun} was {b.fig(got[0])} in {got[0].period}." if got else None
    first, last = got[0], got[-1]
    verb = "rose" if last.value > first.value else ("fell" if last.value < first.value else "was unchanged")
    s = f"{noun} {verb} from {b.fig(first)} in {first.period} to {b.fig(last)} in {last.period}"
    growth = b.get(c, f"{key}_growth", last.period)
    if growth is not None:
        s += f", {_up(growth)} {b.fig(growth, magnitude=True)} in the latest year"
    return s + "."


def _trends(b: Book) -> str:
    out: list[str] = []
    for c in [b.company, *b.peers]:
        lines = [s for key, noun in (("revenue", "Revenue"), ("operating_income", "Operating income"),
                                     ("net_income", "Net income")) if (s := _series(b, c, key, noun))]  # fmt: skip
        p = b.latest(c)
        for key in ("gross_margin", "operating_margin", "net_margin"):
            m, ch = b.get(c, key, p), b.get(c, f"{key}_change", p)
            if m is not None and ch is not None and ch.value != 0:
                verb = "widened" if ch.value > 0 else "narrowed"
                lines.append(f"{m.label} {verb} by {b.fig(ch, magnitude=True)} to {b.fig(m)} in {p}.")
        avg = next((f for f in b.facts if f.company == c and f.indicator == "revenue_average"), None)
        if avg is not None:
            lines.append(f"Average revenue over {avg.period} was {b.fig(avg)}.")
        de, cd = b.get(c, "debt_to_equity", p), b.get(c, "cash_to_debt", p)
        if de is not None:
            lines.append(
                f"Debt to equity stood at {b.fig(de)} in {p}"
                + (f" and cash covered debt {b.fig(cd)}." if cd else ".")
            )
        if lines:
            out.append(f"**{c}.** " + " ".join(lines))
    return "\n\n".join(out) or "The documents give too few periods to describe trends."


def _peers(b: Book) -> str:
    companies = [b.company, *b.peers]
    latest = {c: b.latest(c) for c in companies}
    labels = {"revenue": "Revenue", "revenue_growth": "Revenue growth", "gross_margin": "Gross margin",
              "operating_margin": "Operating margin", "net_margin": "Net margin", "roe": "ROE",
              "debt_to_equity": "Debt to equity"}  # fmt: skip
    head = "| Company | Period | " + " | ".join(labels[k] for k in PEER_COLUMNS) + " |"
    rows = [head, "|---|---|" + "---:|" * len(PEER_COLUMNS)]
    for c in companies:
        cells = []
        for k in PEER_COLUMNS:
            f = b.get(c, k, latest[c])
            cells.append(b.cell(f) if f is None or f.kind != "money" else b.fig(f))
        rows.append(f"| {c} | {latest[c] or '–'} | " + " | ".join(cells) + " |")
    text = ["\n".join(rows), ""]
    for key, noun in (("revenue_growth", "revenue growth"), ("operating_margin", "operating margin"),
                      ("net_margin", "net margin")):  # fmt: skip
        ranked = sorted(
            (f for c in companies if (f := b.get(c, key, latest[c]))), key=lambda f: f.value, reverse=True
        )
        if len(ranked) >= 2:
            rest = ", ".join(f"{f.company} ({b.fig(f)})" for f in ranked[1:])
            text.append(f"{ranked[0].company} leads on {noun} with {b.fig(ranked[0])}, ahead of {rest}.")
    currencies = {f.currency for f in b.facts if f.kind == "money" and f.currency}
    if len(currencies) > 1:
        text.append(
            "The companies report in different currencies; amounts are not converted, so compare ratios rather than sizes."
        )
    if len({p for p in latest.values() if p}) > 1:
        text.append("Latest periods differ between companies; each is compared on its own latest period.")
    return "\n".join(text).strip()


def _view(b: Book) -> str:
    c, p = b.company, b.latest(b.company)
    strengths: list[str] = []
    weaknesses: list[str] = []
    risks: list[str] = []

    def get(key: str) -> Fact | None:
        return b.get(c, key, p)

    if (g := get("revenue_growth")) is not None:
        (strengths if g.value > 0 else weaknesses).append(
            f"Revenue {'grew' if g.value > 0 else 'fell'} {b.fig(g, magnitude=True)} in {p}."
        )
    if (
        (ch := get("operating_margin_change")) is not None
        and (om := get("operating_margin")) is not None
        and ch.value
    ):
        (strengths if ch.value > 0 else weaknesses).append(
            f"Operating margin {'widened' if ch.value > 0 else 'narrowed'} by {b.fig(ch, magnitude=True)} to {b.fig(om)}."
        )
    if (ni := get("net_income")) is not None and ni.value < 0:
        weaknesses.append(f"A net loss of {b.fig(ni, magnitude=True)} in {p}.")
    elif (nm := get("net_margin")) is not None and nm.value >= 10:
        strengths.append(f"A net margin of {b.fig(nm)}.")
    if (roe := get("roe")) is not None:
        if roe.value >= 15:
            strengths.append(f"Return on equity of {b.fig(roe)}.")
        elif roe.value < 5:
            weaknesses.append(f"Return on equity of only {b.fig(roe)}.")
    if (fcf := get("free_cash_flow")) is not None:
        (strengths if fcf.value > 0 else weaknesses).append(
            f"Free cash flow was {'positive' if fcf.value > 0 else 'negative'} at {b.fig(fcf)}."
        )
    if (de := get("debt_to_equity")) is not None:
        if de.value > Decimal("1.5"):
            risks.append(f"High leverage: debt to equity of {b.fig(de)}.")
        elif de.value < Decimal("0.5"):
            strengths.append(f"A conservative balance sheet: debt to equity of {b.fig(de)}.")
    if (dx := get("debt_to_ebitda")) is not None and dx.value > 3:
        risks.append(f"Debt is {b.fig(dx)} EBITDA, a heavy load to refinance.")
    if (cd := get("cash_to_debt")) is not None and cd.value < Decimal("0.2"):
        risks.append(f"Thin liquidity: cash covers debt only {b.fig(cd)}.")
    om = get("operating_margin")
    peer_margins = [f for q in b.peers if (f := b.get(q, "operating_margin", b.latest(q)))]
    if om is not None and peer_margins:
        better = [f for f in peer_margins if f.value > om.value]
        if better:
            best = max(better, key=lambda f: f.value)
            weaknesses.append(f"Operating margin of {b.fig(om)} trails {best.company} ({b.fig(best)}).")
        else:
            strengths.append(f"Operating margin of {b.fig(om)} is the highest among the peers compared.")
    missing = [lab for key, lab in (("total_debt", "debt"), ("operating_cash_flow", "operating cash flow"),
                                    ("equity", "equity")) if get(key) is None]  # fmt: skip
    if missing:
        risks.append(
            f"The documents do not report {_join(missing)} for {p}, so leverage and cash generation are not assessed fully."
        )
    risks.append(
        "Figures are as reported in the documents provided; other disclosures may change the picture."
    )
    none = ["None identified from the reported figures."]
    return "\n".join(
        ["**Strengths**", *[f"- {s}" for s in strengths or none], "", "**Weaknesses**",
         *[f"- {s}" for s in weaknesses or none], "", "**Risks**", *[f"- {s}" for s in risks]]
    )  # fmt: skip


def _sources(b: Book, cited: set[int]) -> str:
    wanted = set(cited)
    pending = [f for f in b.facts if f.number in wanted]
    while pending:  # the inputs of derived figures are cited too
        f = pending.pop()
        for key in f.inputs:
            g = b.by_key.get(key)
            if g is not None and g.number not in wanted:
                wanted.add(g.number)
                pending.append(g)
    lines = []
    for f in sorted((f for f in b.facts if f.number in wanted), key=lambda f: f.number):
        lines.append(f"{f.number}. {f.company} — {f.label} {f.period}: {display(f, b.scale)} — {where(f, b)}")
    return "\n".join(lines) or "No figures were cited."


def where(f: Fact, b: Book) -> str:
    c = f.citation
    if f.source == "derived":
        args = []
        for key in f.inputs:
            g = b.by_key.get(key)
            args.append(f"{display(g, b.scale, with_unit=False)} [{g.number}]" if g else key)
        return "computed: " + f.formula.format(*args)
    text = f"{c.get('document', '?')}, {c.get('location', '')}"
    if f.source == "table":
        text += f", table {c.get('table')}, row {c.get('row_label')!r}, column {c.get('column_label')!r}"
        if c.get("cell"):
            text += f" (cell {c['cell']})"
        text += f": {c.get('text')!r}" + (f" in {c['scale']}s" if c.get("scale") else "")
    else:
        text += f": “{c.get('text', '')}”"
    return text


def write_section(key: str, b: Book, cited: set[int] | None = None) -> str:
    if key == "sources":
        return _sources(b, cited or set())
    return {"summary": _summary, "kpis": _kpis, "trends": _trends, "peers": _peers, "view": _view}[key](b)


def _lower(label: str) -> str:
    return " ".join(w if w.isupper() else w.lower() for w in label.split())


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""
