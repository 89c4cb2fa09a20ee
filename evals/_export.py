"""Exports of runs and comparisons: JSON, a Markdown table, and a self-contained HTML page whose
charts are inline SVG (no scripts, no CDN, safe to attach to an approval or a PR)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from ._compare import Comparison
from ._report import RunReport

__all__ = ["comparison_markdown", "report_html", "report_json", "report_markdown", "trend_svg"]

_UNIT = ("accuracy", "macro_f1", "pass_rate", "pass_hat_k", "pass_at_k", "exact_match", "number_match",
         "token_f1", "rouge_l", "numeric_grounding", "claim_support", "label_correct")  # fmt: skip
_JUDGED = ("groundedness", "relevance", "coherence", "fluency")
_COLOURS = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#718096")
_CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1a202c}table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #cbd5e0;padding:.25rem .5rem;text-align:right}th:first-child,td:first-child{text-align:left}
.bad{color:#c53030}.good{color:#2f855a}svg{display:block;margin:1rem 0}code{font-size:12px}"""


def _fmt(value: float | None, metric: str = "") -> str:
    if value is None:
        return "–"
    if metric.endswith("_ms") or metric in ("items", "cases", "tokens"):
        return f"{value:,.0f}"
    return f"{value:.4f}" if abs(value) < 10 else f"{value:,.2f}"


def report_json(report: RunReport) -> str:
    return report.model_dump_json(indent=2)


def _metric_rows(summary: Mapping[str, Mapping[str, float | None]]) -> tuple[list[str], list[str]]:
    variants = list(summary)
    metrics = sorted({m for s in summary.values() for m in s})
    return variants, metrics


def report_markdown(report: RunReport) -> str:
    variants, metrics = _metric_rows(report.summary)
    lines = [
        f"## Eval run {report.name or report.id}",
        "",
        f"target `{report.target}` · datasets {', '.join(report.datasets)} · repeats {report.repeats}",
        "",
        "| metric | " + " | ".join(variants) + " |",
        "|---|" + "---:|" * len(variants),
    ]
    for m in metrics:
        lines.append(f"| {m} | " + " | ".join(_fmt(report.summary[v].get(m), m) for v in variants) + " |")
    return "\n".join(lines) + "\n"


def comparison_markdown(rows: Sequence[Comparison]) -> str:
    lines = [
        "| variant | metric | baseline | candidate | diff | 95% CI | verdict |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for r in rows:
        ci = "–" if r.ci_lo is None else f"[{r.ci_lo:+.4f}, {r.ci_hi:+.4f}]"
        diff = "–" if r.diff is None else f"{r.diff:+.4f}"
        lines.append(f"| {r.variant} | {r.metric} | {_fmt(r.baseline, r.metric)} | {_fmt(r.candidate, r.metric)} "
                     f"| {diff} | {ci} | {r.verdict} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def _bars(
    title: str, metrics: Sequence[str], summary: Mapping[str, Mapping[str, float | None]], top: float
) -> str:
    """Grouped horizontal bars: one group per metric, one bar per variant."""
    variants = list(summary)
    metrics = [m for m in metrics if any(summary[v].get(m) is not None for v in variants)]
    if not metrics:
        return ""
    bar, gap, left, width = 14, 10, 160, 360
    height = len(metrics) * (len(variants) * bar + gap) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" role="img">',
           f'<title>{html.escape(title)}</title><text x="0" y="14" font-weight="bold">{html.escape(title)}</text>']  # fmt: skip
    y = 28
    for m in metrics:
        out.append(f'<text x="0" y="{y + bar}" font-size="12">{html.escape(m)}</text>')
        for i, v in enumerate(variants):
            value = summary[v].get(m)
            w = 0 if value is None else max(0.0, min(1.0, value / top)) * width
            colour = _COLOURS[i % len(_COLOURS)]
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar - 2}" fill="{colour}">'
                       f"<title>{html.escape(v)}: {_fmt(value, m)}</title></rect>"
                       f'<text x="{left + w + 4:.1f}" y="{y + bar - 4}" font-size="11">{_fmt(value, m)}</text>')  # fmt: skip
            y += bar
        y += gap
    legend = " ".join(
        f'<tspan fill="{_COLOURS[i % len(_COLOURS)]}">■ {html.escape(v)}</tspan>'
        for i, v in enumerate(variants)
    )
    out.append(f'<text x="{left}" y="{height - 4}" font-size="12">{legend}</text></svg>')
    return "".join(out)


def _forest(rows: Sequence[Comparison]) -> str:
    """Differences with their 95% intervals, one line per metric, scaled per row to its own range."""
    rows = [r for r in rows if r.diff is not None and r.ci_lo is not None]
    if not rows:
        return ""
    left, width, step = 260, 320, 22
    height = len(rows) * step + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 40}" height="{height}" role="img">',
           "<title>Differences with 95% confidence intervals</title>",
           f'<line x1="{left + width / 2}" y1="0" x2="{left + width / 2}" y2="{height}" stroke="#a0aec0"/>']  # fmt: skip
    for i, r in enumerate(rows):
        y = 20 + i * step
        span = max(abs(r.ci_lo or 0), abs(r.ci_hi or 0), abs(r.diff or 0), 1e-9)

        def x(v: float, span: float = span) -> float:
            return left + width / 2 + (v / span) * (width / 2 - 10)

        colour = {"improved": "#2f855a", "regressed": "#c53030"}.get(r.verdict, "#4a5568")
        out.append(f'<text x="0" y="{y + 4}" font-size="12">{html.escape(r.variant)} · {html.escape(r.metric)}</text>'
                   f'<line x1="{x(r.ci_lo or 0):.1f}" y1="{y}" x2="{x(r.ci_hi or 0):.1f}" y2="{y}" stroke="{colour}" stroke-width="2"/>'
                   f'<circle cx="{x(r.diff or 0):.1f}" cy="{y}" r="4" fill="{colour}"><title>{r.diff:+.4g} '
                   f"[{r.ci_lo:+.4g}, {r.ci_hi:+.4g}] {r.verdict}</title></circle>")  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def trend_svg(series: Mapping[str, Sequence[tuple[str, float]]], title: str = "Online scores by day") -> str:
    """Line chart of daily means (0-1 metrics) or judge scores (1-5, drawn over 5)."""
    series = {m: pts for m, pts in series.items() if pts}
    if not series:
        return ""
    days = sorted({d for pts in series.values() for d, _ in pts})
    left, width, height = 40, 520, 200
    xs = {d: left + (i / max(1, len(days) - 1)) * width for i, d in enumerate(days)}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 160}" height="{height + 40}" role="img">',
           f"<title>{html.escape(title)}</title>",
           f'<line x1="{left}" y1="{height}" x2="{left + width}" y2="{height}" stroke="#a0aec0"/>']  # fmt: skip
    for i, (metric, pts) in enumerate(sorted(series.items())):
        top = 5.0 if metric in _JUDGED else 1.0
        colour = _COLOURS[i % len(_COLOURS)]
        coords = " ".join(f"{xs[d]:.1f},{height - min(1.0, v / top) * (height - 10):.1f}" for d, v in pts)
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>'
                   f'<text x="{left + width + 8}" y="{20 + i * 16}" fill="{colour}" font-size="12">{html.escape(metric)}</text>')  # fmt: skip
    out.append(f'<text x="{left}" y="{height + 16}" font-size="11">{html.escape(days[0])}</text>'
               f'<text x="{left + width - 70}" y="{height + 16}" font-size="11">{html.escape(days[-1])}</text></svg>')  # fmt: skip
    return "".join(out)


def _table(summary: Mapping[str, Mapping[str, float | None]]) -> str:
    variants, metrics = _metric_rows(summary)
    head = "".join(f"<th>{html.escape(v)}</th>" for v in variants)
    body = "".join(
        f"<tr><td>{html.escape(m)}</td>"
        + "".join(f"<td>{_fmt(summary[v].get(m), m)}</td>" for v in variants)
        + "</tr>"
        for m in metrics
    )
    return f"<table><tr><th>metric</th>{head}</tr>{body}</table>"


def report_html(
    report: RunReport, comparison: Sequence[Comparison] | None = None, *, max_items: int = 200
) -> str:
    """One self-contained page: summary, charts, per-dataset tables, items, and the comparison if given."""
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>Eval {html.escape(report.name or report.id)}</title>",
        f"<style>{_CSS}</style></head><body><h1>Eval run {html.escape(report.name or report.id)}</h1>",
        f"<p>target <code>{html.escape(report.target)}</code> · datasets {html.escape(', '.join(report.datasets))}"
        f" · variants {html.escape(', '.join(report.variants))} · repeats {report.repeats}</p>",
        _bars("Quality (0-1)", _UNIT, report.summary, 1.0),
        _bars("LLM judges (1-5)", _JUDGED, report.summary, 5.0),
        "<h2>Summary</h2>",
        _table(report.summary),
    ]
    if comparison:
        parts += ["<h2>Comparison with the baseline</h2>", _forest(comparison), _comparison_table(comparison)]
    for dataset, summary in report.by_dataset.items():
        parts += [f"<h2>Dataset {html.escape(dataset)}</h2>", _table(summary)]
    parts.append(
        "<h2>Items</h2><table><tr><th>case</th><th>variant</th><th>#</th><th>pass</th><th>answer</th></tr>"
    )
    for item in report.items[:max_items]:
        status = "<span class=good>✓</span>" if item.passed else "<span class=bad>✗</span>"
        answer = html.escape(item.error or item.answer[:300])
        parts.append(f"<tr><td>{html.escape(item.dataset)}/{html.escape(item.case_id)}</td><td>{html.escape(item.variant)}"
                     f"</td><td>{item.repeat}</td><td>{status}</td><td style='text-align:left'>{answer}</td></tr>")  # fmt: skip
    parts.append("</table></body></html>")
    return "\n".join(p for p in parts if p)


def _comparison_table(rows: Sequence[Comparison]) -> str:
    body = []
    for r in rows:
        cls = {"improved": "good", "regressed": "bad"}.get(r.verdict, "")
        ci = "–" if r.ci_lo is None else f"[{r.ci_lo:+.4f}, {r.ci_hi:+.4f}]"
        diff = "–" if r.diff is None else f"{r.diff:+.4f}"
        body.append(f"<tr><td>{html.escape(r.variant)} · {html.escape(r.metric)}</td><td>{_fmt(r.baseline, r.metric)}</td>"
                    f"<td>{_fmt(r.candidate, r.metric)}</td><td>{diff}</td><td>{ci}</td><td class='{cls}'>{r.verdict}</td></tr>")  # fmt: skip
    return ("<table><tr><th>metric</th><th>baseline</th><th>candidate</th><th>diff</th><th>95% CI</th><th>verdict</th></tr>"
            + "".join(body) + "</table>")  # fmt: skip
