"""Writing a report: facts gathered and numbered, sections composed (templated, or narrated by an
LLM with one call per narrative section), every figure grounded, the record kept in the store.

``start`` gathers the facts and creates the report; ``write_section`` writes one section (so a
chat can stream them as they are produced); ``finish`` writes what is left and closes it.
"""

from __future__ import annotations

import builtins
import re
from typing import TYPE_CHECKING, Any

from store import Collection, NotFound, Store, utcnow

from ._collect import CompanyFacts, collect
from ._compose import NARRATIVE, TITLES, Book, section_keys, write_section
from ._errors import NoDocuments, ReportNotFound, UnknownSection
from ._facts import Fact, display, display_scale
from ._grounding import Grounded, fact_index, ground
from ._narrate import Narrator
from ._records import Report

if TYPE_CHECKING:
    from tools.documents import DocumentLibrary

__all__ = ["ReportWriter", "book_of"]

REMOVED_NOTE = (
    "_Statements whose figures could not be traced to the documents were removed from this section._"
)
_MARKERS = re.compile(r"\[(\d+)\]")
_SHAPES = {
    "view": "Keep the three bold headings **Strengths**, **Weaknesses** and **Risks**, each with a bullet list.",
    "peers": "Write prose only; the comparison table is printed separately.",
}


def book_of(report: Report) -> Book:
    return Book(report.company, report.peers, [Fact.from_dict(f) for f in report.facts], report.scale)


class ReportWriter:
    def __init__(self, store: Store, library: DocumentLibrary, narrator: Narrator | None = None) -> None:
        self.reports = Collection(store.backend, Report)
        self.library = library
        self.narrator = narrator

    async def company(self, tenant_id: str, company: str) -> CompanyFacts:
        facts = await collect(self.library, tenant_id, company)
        if not facts.documents:
            known = sorted((await self.library.companies(tenant_id)).values())
            hint = (
                f"; companies with documents: {', '.join(known)}" if known else "; no documents are uploaded"
            )
            raise NoDocuments(f"no documents for company {company!r}{hint}")
        return facts

    async def start(self, tenant_id: str, user_id: str, company: str, peers: list[str], *,
                    conversation_id: str | None = None, run_id: str | None = None) -> Report:  # fmt: skip
        from tools.documents import company_key

        subject = await self.company(tenant_id, company)
        notes = list(subject.notes)
        groups = [subject]
        for peer in dict.fromkeys(p.strip() for p in peers if p.strip()):
            if company_key(peer) == company_key(subject.company):
                continue
            try:
                groups.append(await self.company(tenant_id, peer))
                notes += groups[-1].notes
            except NoDocuments:
                notes.append(f"No documents for peer {peer!r}; it is left out of the comparison.")
        facts: list[Fact] = []
        for g in groups:
            for f in g.facts:
                facts.append(Fact(**{**f.__dict__, "number": len(facts) + 1}))
        peer_names = [g.company for g in groups[1:]]
        title = f"Financial analysis: {subject.company}" + (
            f" and peers ({', '.join(peer_names)})" if peer_names else ""
        )
        report = Report(
            tenant_id=tenant_id,
            company=subject.company,
            peers=peer_names,
            title=title,
            mode="llm" if self.narrator else "offline",
            scale=display_scale(facts),
            section_keys=section_keys(peer_names),
            facts=[f.to_dict() for f in facts],
            documents=[
                {"id": d.id, "name": d.name, "company": d.company} for g in groups for d in g.documents
            ],
            notes=notes,
            created_by=user_id,
            conversation_id=conversation_id,
            run_id=run_id,
        )
        return await self.reports.create(report)

    async def get(self, tenant_id: str, report_id: str) -> Report:
        try:
            return await self.reports.get(tenant_id, report_id)
        except NotFound:
            raise ReportNotFound("report not found") from None

    async def list(self, tenant_id: str) -> list[Report]:
        return await self.reports.all(tenant_id, order_by="created_at", descending=True)

    async def write_section(self, tenant_id: str, report_id: str, key: str) -> dict[str, Any]:
        report = await self.get(tenant_id, report_id)
        if key not in report.section_keys:
            raise UnknownSection(
                f"section {key!r} is not part of this report; sections: {', '.join(report.section_keys)}"
            )
        done = next((s for s in report.sections if s["key"] == key), None)
        if done is not None:
            return done
        book = book_of(report)
        cited = {int(n) for s in report.sections for n in _MARKERS.findall(s["markdown"])}
        draft = write_section(key, book, cited)
        usage: dict[str, Any] | None = None
        notes: list[str] = []
        text = draft
        if key in NARRATIVE and self.narrator is not None:
            table = "\n".join(ln for ln in draft.splitlines() if ln.startswith("|"))
            prose = "\n".join(ln for ln in draft.splitlines() if not ln.startswith("|")).strip()
            used = sorted({int(n) for n in _MARKERS.findall(draft)})
            lines = [self._fact_line(book, n) for n in used]
            narration = await self.narrator.write(
                title=TITLES[key],
                company=book.company,
                peers=book.peers,
                facts=lines,
                draft=prose,
                shape=_SHAPES.get(key, ""),
            )
            usage = narration.usage
            if narration.error:
                notes.append(
                    f"{TITLES[key]}: the language model failed ({narration.error}); the templated text is used."
                )
            text = f"{table}\n\n{narration.text}".strip() if table else narration.text
        checked = ground(text, fact_index(book.facts, book.scale)) if key != "sources" else Grounded(text)
        markdown = checked.markdown + (f"\n\n{REMOVED_NOTE}" if checked.removed else "")
        section = {
            "key": key,
            "title": TITLES[key],
            "markdown": markdown,
            "grounding": checked.summary(),
            "llm": usage,
        }

        def add(r: Report) -> None:
            if any(s["key"] == key for s in r.sections):
                return
            r.sections.append(section)
            r.notes += notes
            if usage:
                for name in ("calls", "prompt_tokens", "completion_tokens"):
                    r.llm[name] = r.llm.get(name, 0) + usage[name]
            r.updated_at = utcnow()

        await self.reports.update(tenant_id, report_id, add)
        return section

    @staticmethod
    def _fact_line(book: Book, number: int) -> str:
        f = book.facts[number - 1]
        return f"[{number}] {f.company} {f.label} {f.period}: {display(f, book.scale)}"

    async def finish(self, tenant_id: str, report_id: str) -> Report:
        report = await self.get(tenant_id, report_id)
        for key in report.section_keys:
            await self.write_section(tenant_id, report_id, key)

        def close(r: Report) -> None:
            r.sections.sort(key=lambda s: r.section_keys.index(s["key"]))
            checked = sum(s["grounding"]["checked"] for s in r.sections)
            grounded = sum(s["grounding"]["grounded"] for s in r.sections)
            removed = [x for s in r.sections for x in s["grounding"]["removed"]]
            r.grounding = {"checked": checked, "grounded": grounded, "removed": len(removed), "ok": True}
            r.llm["sections"] = sum(1 for s in r.sections if s.get("llm"))
            r.status = "complete"
            r.updated_at = utcnow()

        return await self.reports.update(tenant_id, report_id, close)

    async def write(
        self, tenant_id: str, user_id: str, company: str, peers: builtins.list[str], **kwargs: Any
    ) -> Report:
        report = await self.start(tenant_id, user_id, company, peers, **kwargs)
        return await self.finish(tenant_id, report.id)
