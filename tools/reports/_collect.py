"""A company's facts from the tenant's documents: tables first, then sentences, then derived figures.

When several rows or documents give one indicator for one period, the more specific row wins
("Total revenues" over "Revenue", diluted over basic EPS), then tables over text, then the earlier
document; a different value for the same figure is reported as a note, never averaged away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._derived import derive
from ._facts import Fact
from ._indicators import INDICATORS, table_facts, text_facts

if TYPE_CHECKING:
    from tools.documents import Document, DocumentLibrary

__all__ = ["CompanyFacts", "collect"]

_ORDER = {ind.key: i for i, ind in enumerate(INDICATORS)}


@dataclass
class CompanyFacts:
    company: str
    extracted: list[Fact] = field(default_factory=list)
    derived: list[Fact] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def facts(self) -> list[Fact]:
        return self.extracted + self.derived


async def collect(library: DocumentLibrary, tenant_id: str, company: str) -> CompanyFacts:
    from tools.documents import to_table

    docs = await library.list(tenant_id, company)
    out = CompanyFacts(docs[0].company if docs else company, documents=docs)
    chosen: dict[str, tuple[tuple[int, int, int], Fact]] = {}
    for d_index, doc in enumerate(docs):
        content = await library.content(doc)
        candidates: list[tuple[Fact, int, int]] = []
        for t in content.tables:
            for fact, priority in table_facts(
                out.company,
                to_table(t, doc.id),
                document=doc.name,
                default_currency=doc.currency,
                origin=t.origin,
            ):
                candidates.append((fact, priority, 1))
        paragraphs = [(p.anchor, p.text) for p in content.paragraphs]
        for fact in text_facts(out.company, paragraphs, document=doc.name, doc_id=doc.id):
            if not fact.currency and fact.kind == "money":
                fact = Fact(**{**fact.__dict__, "currency": doc.currency})
            candidates.append((fact, 0, 0))
        for fact, priority, from_table in candidates:
            rank = (priority, from_table, -d_index)
            held = chosen.get(fact.key)
            if held is not None and held[1].value != fact.value and rank[:2] == held[0][:2]:
                out.notes.append(_conflict(held[1], fact))
            if held is None or rank > held[0]:
                chosen[fact.key] = (rank, fact)
    out.extracted = sorted((f for _, f in chosen.values()), key=lambda f: (_ORDER[f.indicator], f.period))
    out.derived = derive(out.extracted)
    return out


def _conflict(kept: Fact, other: Fact) -> str:
    where = other.citation.get("document", "?")
    return (
        f"{kept.company}: {kept.label} {kept.period} differs between sources "
        f"({kept.citation.get('document', '?')} and {where}); the first is used."
    )
