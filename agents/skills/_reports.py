"""The offline report writer: exact answers from a pasted table or from the uploaded documents, and
financial analysis reports written section by section (each section streams out as it is made)."""

from __future__ import annotations

import re
from typing import Any

from autogen_agentchat.messages import ModelClientStreamingChunkEvent

from tools import ToolError

from .._offline import Reply, Turn

HELP = (
    "I answer questions about companies from their documents, every figure computed exactly and cited, and "
    "write financial analysis reports. Paste a table (Markdown or CSV) with your question, e.g. “What is the "
    "percentage change in revenue from 2018 to 2019?”, or upload documents with `POST /v1/documents` and ask "
    "“Write a financial analysis of Contoso compared with Fabrikam”."
)
_REPORT = re.compile(
    r"\b(?:report|analy[sz]\w*|assess\w*|overview|review|compar\w*|benchmark\w*|peers?|competitors?)\b", re.I
)
_ALL_PEERS = re.compile(r"\b(?:competitors?|peers?|rivals?|industry)\b", re.I)
_QUESTION = re.compile(r"\?\s*$|^\s*(?:what|how|which|when|did|does|is|was|were|give|show|tell)\b", re.I)
_LIST = re.compile(r"\b(?:list|show|which|what)\b.*\bdocuments?\b", re.I)


async def report_writer(turn: Turn) -> Reply:
    words = turn.instruction
    if turn.data and words:
        return await _table_answer(turn, words)
    if not words or not (_REPORT.search(words) or _LIST.search(words) or _QUESTION.search(words)):
        return Reply(HELP)  # small talk: no tool call
    try:
        listing = await turn.call("reports-list_documents")
    except ToolError:  # no document store in this deployment: pasted tables still work
        return Reply(HELP)
    companies: list[str] = listing.get("companies", [])
    if _LIST.search(words):
        return Reply(_documents(listing))
    if not companies:
        return Reply(HELP + "\n\nNo documents are uploaded yet.")
    named = _mentioned(words, companies)
    if _REPORT.search(words):
        if not named and len(companies) > 1:
            return Reply(
                f"Which company should I analyse? Documents are uploaded for {', '.join(companies)}."
            )
        subject = named[0] if named else companies[0]
        peers = named[1:] or ([c for c in companies if c != subject] if _ALL_PEERS.search(words) else [])
        return await _report(turn, subject, peers)
    result = await turn.call("reports-answer_question", question=words, company=named[0] if named else "")
    return _answer(result)


def _mentioned(text: str, companies: list[str]) -> list[str]:
    """Companies named in ``text``, in the order they appear."""
    found = []
    for c in companies:
        first = c.split()[0]
        m = re.search(rf"\b{re.escape(c)}\b", text, re.I) or re.search(rf"\b{re.escape(first)}\b", text, re.I)
        if m:
            found.append((m.start(), c))
    return [c for _, c in sorted(found)]


def _stream(turn: Turn, text: str) -> None:
    turn.sink(ModelClientStreamingChunkEvent(source=turn.agent, content=text + "\n\n"))


async def _report(turn: Turn, company: str, peers: list[str]) -> Reply:
    started = await turn.call("reports-start_report", company=company, peers=", ".join(peers))
    report_id = started["report_id"]
    parts = [f"# {started['title']}"]
    _stream(turn, parts[0])
    for key in started["sections"]:
        section = await turn.call("reports-write_section", report_id=report_id, section=key)
        text = f"## {section['title']}\n\n{section['markdown']}"
        _stream(turn, text)
        parts.append(text)
    done = await turn.call("reports-finish_report", report_id=report_id)
    links = ", ".join(f"[{fmt.upper()}]({url})" for fmt, url in done["exports"].items())
    ground = done.get("grounding", {})
    removed = "some statements were removed" if ground.get("removed") else "none had to be removed"
    tail = (
        f"_Report `{report_id}` (offline mode: templated narrative). Every number was checked against the "
        f"cited sources; {removed}. Exports: {links}._"
    )
    notes = done.get("notes") or []
    if notes:
        tail += "\n\n" + "\n".join(f"- {n}" for n in notes)
    _stream(turn, tail)
    parts.append(tail)
    return Reply("\n\n".join(parts), data={"report_id": report_id})


async def _table_answer(turn: Turn, question: str) -> Reply:
    result = await turn.call("reports-answer_table_question", question=question, table=turn.data)
    if result.get("declined"):
        return Reply(
            f"I cannot determine that exactly from the table: {result.get('reason', 'no confident match')}."
        )
    return _answer(result)


def _answer(result: dict[str, Any]) -> Reply:
    if result.get("declined"):
        return Reply(
            f"I cannot determine that exactly from the documents: {result.get('reason', 'no confident match')}."
        )
    cells = "; ".join(f"{c['row']} / {c['column']} = {c['text']}" for c in result.get("cells", []))
    scale = f" ({result['scale']})" if result.get("scale") else ""
    lines = [f"**Answer:** {result['value']}{scale}"]
    if result.get("formula"):
        lines.append(f"**Computed as:** {result['formula']}")
    if cells:
        lines.append(f"**Cells used:** {cells}")
    if result.get("document"):
        where = result["cells"][0].get("location", "") if result.get("cells") else ""
        lines.append(
            f"**Source:** {result['document']} ({result.get('company', '')}){', ' + where if where else ''}"
        )
    return Reply("\n\n".join(lines), data=result)


def _documents(listing: dict[str, Any]) -> str:
    docs = listing.get("documents", [])
    if not docs:
        return "No documents are uploaded yet. Upload them with `POST /v1/documents`."
    rows = [f"- **{d['name']}** ({d['company'] or 'no company'}; {d['format']}; periods {', '.join(d['periods']) or 'none'})"
            for d in docs]  # fmt: skip
    return "Uploaded documents:\n" + "\n".join(rows)
