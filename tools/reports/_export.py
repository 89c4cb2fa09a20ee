"""Exports of a report: Markdown, HTML (markdown-it, raw HTML in content escaped) and PDF (fpdf2,
imported on first use)."""

from __future__ import annotations

import html
import re

from ._records import Report

__all__ = ["EXPORTS", "to_html", "to_markdown", "to_pdf"]

EXPORTS = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def to_markdown(report: Report) -> str:
    when = report.created_at.strftime("%Y-%m-%d %H:%M UTC")
    mode = "narrative by a language model" if report.mode == "llm" else "templated narrative (offline mode)"
    lines = [
        f"# {report.title}",
        "",
        f"_Generated {when}; {mode}. Every figure is computed in code from the cited document cells; "
        "numbers in the text were checked against those sources before delivery._",
    ]
    by_key = {s["key"]: s for s in report.sections}
    for key in report.section_keys:
        s = by_key.get(key)
        if s is not None:
            lines += ["", f"## {s['title']}", "", s["markdown"]]
    if report.notes:
        lines += ["", "## Notes", "", *[f"- {n}" for n in report.notes]]
    return "\n".join(lines).rstrip() + "\n"


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem}"
    "th{background:#f3f3f3}em{color:#555}"
)


def to_html(report: Report) -> str:
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(to_markdown(report))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(report.title)}</title>'
        f"<style>{_CSS}</style></head><body>{body}</body></html>"
    )


_LATIN = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "€": "EUR ", "…": "...",
                        "\u00a0": " ", "≥": ">=", "≤": "<="})  # fmt: skip


def _latin(text: str) -> str:
    text = text.translate(_LATIN).replace("**", "").replace("_", "")
    return text.encode("latin-1", "replace").decode("latin-1")


def to_pdf(report: Report) -> bytes:
    try:
        from fpdf import FPDF
    except ImportError as exc:  # pragma: no cover - fpdf2 is a dependency
        raise RuntimeError("PDF export needs the fpdf2 package (pip install fpdf2)") from exc

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_title(_latin(report.title))
    table: list[list[str]] = []

    def flush() -> None:
        if not table:
            return
        pdf.set_font("helvetica", size=7)
        widths = None
        with pdf.table(text_align="LEFT", col_widths=widths, line_height=4) as t:
            for row in table:
                r = t.row()
                for cell in row:
                    r.cell(_latin(cell))
        table.clear()
        pdf.ln(2)

    for raw in to_markdown(report).splitlines():
        line = raw.rstrip()
        if line.startswith("|"):
            if not re.fullmatch(r"\|[\s:|-]+\|?", line):
                table.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        flush()
        if not line.strip():
            pdf.ln(2)
            continue
        level = len(line) - len(line.lstrip("#"))
        if level:
            pdf.set_font("helvetica", "B", size={1: 15, 2: 12}.get(level, 10))
            pdf.multi_cell(0, 7, _latin(line.lstrip("# ").strip()), new_x="LMARGIN", new_y="NEXT")
            continue
        pdf.set_font("helvetica", size=9)
        text = _latin(re.sub(r"^\s*[-*]\s+", "- ", line))
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    flush()
    return bytes(pdf.output())
