"""Question answering over tables: one pasted table, or every table of the tenant's documents.

The answer is the engine's (``answer()``: exact, cited, or declined); over documents the most
confident answer wins, and two equally confident answers that disagree are declined rather than
guessed between.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._answer import Answer, Declined, format_decimal
from ._errors import TableParseError
from ._solve import answer
from ._table import Table

if TYPE_CHECKING:
    from tools.documents import DocumentLibrary

__all__ = ["answer_documents", "answer_payload", "answer_text_table"]


def answer_payload(result: Answer | Declined, **extra: Any) -> dict[str, Any]:
    """The keys the skills and agents read: value, scale, formula, cells [{row, column, text}], declined."""
    if isinstance(result, Declined):
        return {"declined": True, "reason": result.reason, "confidence": result.confidence, **extra}
    value: Any = result.value
    if isinstance(value, Decimal):
        value = format_decimal(value)
    cells = [
        {"row": c.row_label, "column": c.column_label, "text": c.text, "document": c.doc_id,
         "location": c.location, "table": c.table_index}
        for c in result.cells
    ]  # fmt: skip
    return {
        "declined": False,
        "value": value,
        "scale": result.scale,
        "operation": result.operation,
        "formula": result.formula,
        "cells": cells,
        "confidence": result.confidence,
        **extra,
    }


def answer_text_table(question: str, table: str) -> dict[str, Any]:
    """Answer from a table given as Markdown (pipe table) or CSV text."""
    try:
        parsed = Table.from_markdown(table) if "|" in table else Table.from_csv(table)
    except TableParseError as exc:
        return answer_payload(Declined(f"the table could not be read: {exc}"))
    return answer_payload(answer(question, parsed))


async def answer_documents(
    library: DocumentLibrary, tenant_id: str, question: str, company: str = ""
) -> dict[str, Any]:
    from tools.documents import to_table

    docs = await library.list(tenant_id, company)
    if not docs:
        return answer_payload(
            Declined("no documents" + (f" for {company!r}" if company else "") + " to answer from")
        )
    found: list[tuple[Answer, Any, Table]] = []
    best_decline = Declined("no table holds the figures the question asks for")
    for doc in docs:
        content = await library.content(doc)
        for stored in content.tables:
            table = to_table(stored, doc.id)
            paragraphs = [p.text for p in content.paragraphs if p.anchor == stored.anchor]
            result = answer(question, table, paragraphs)
            if isinstance(result, Answer):
                found.append((result, doc, table))
            elif result.confidence > best_decline.confidence:
                best_decline = result
    if not found:
        return answer_payload(best_decline)
    found.sort(key=lambda x: -x[0].confidence)
    top, doc, _ = found[0]
    rivals = [
        a for a, d, _ in found[1:] if a.confidence >= top.confidence - 0.05 and a.to_tatqa() != top.to_tatqa()
    ]
    if rivals and not company:
        return answer_payload(
            Declined("several documents answer differently; name the company"), confidence=top.confidence
        )
    if rivals:
        return answer_payload(Declined("several tables answer differently"), confidence=top.confidence)
    return answer_payload(top, company=doc.company, document=doc.name, document_id=doc.id)
