"""Terminal output of `opscopilot triage`: a progress bar while reading, then tables of templates
and categories (rich)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

__all__ = ["render_triage", "triage_progress"]


@contextmanager
def triage_progress(console: Console, label: str) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A progress bar; yields the `on_progress` callback for `Triager.run` (thread-safe)."""
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[lines]} lines"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    with bar:
        task = bar.add_task(label, total=100.0, lines="0")

        def update(p: dict[str, Any]) -> None:
            fraction = p.get("fraction")
            phase = p.get("phase", "reading")
            bar.update(
                task,
                completed=100.0 * fraction if fraction is not None else None,
                lines=f"{p.get('lines', 0):,}",
                description=f"{label} ({phase})",
            )

        yield update
        bar.update(task, completed=100.0, description=f"{label} (done)")


def render_triage(console: Console, result: dict[str, Any], *, top: int = 30) -> None:
    console.print(
        f"[bold]{result['lines']:,}[/] lines, [bold]{result['template_count']}[/] templates "
        f"({result['new_templates']} new), format [cyan]{result['format']}[/], mode {result['mode']}"
    )
    table = Table("id", "count", "level", "category", "template", "new", title="Templates")
    for t in result["templates"][:top]:
        cat = t["category"]
        label = f"{cat['name']} ({cat['confidence']:.2f})" if cat else "[dim]uncategorised[/]"
        text = t["text"] if len(t["text"]) <= 90 else t["text"][:89] + "…"
        flag = " [red]⚑[/]" if t["flags"] else ""
        table.add_row(
            t["id"], f"{t['count']:,}", t["level"] or "", label, text + flag, "new" if t["is_new"] else ""
        )
    console.print(table)
    cats = Table("category", "templates", "lines", title="Categories")
    for c in result["categories"]:
        cats.add_row(c["name"], str(c["templates"]), f"{c['lines']:,}")
    console.print(cats)
    for s in result["suggestions"]:
        console.print(
            f"suggested category [bold]{s['name']}[/]: {s['description']} ({len(s['template_ids'])} templates)"
        )
    errors = [t for t in result["templates"] if t.get("rewrite")][:3]
    for t in errors:
        r = t["rewrite"]
        console.print(f"[bold]{t['id']}[/] {r.get('title', '')}: {r['what_happened']} [dim]→[/] {r['check']}")
    usage = result["usage"]
    if usage.get("llm_calls"):
        console.print(
            f"LLM: {usage['llm_calls']} calls, {usage['prompt_tokens'] + usage['completion_tokens']:,} tokens, "
            f"{usage['templates_sent']} templates sent, {usage['cache_hits']} from cache"
        )
    for w in result["warnings"]:
        console.print(f"[yellow]warning:[/] {w}")
    if result["flagged"]:
        console.print(
            f"[red]{result['flagged']} template(s) contain text that looks like instructions to an AI; treated as data.[/]"
        )
