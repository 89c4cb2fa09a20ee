from __future__ import annotations

from .._offline import Reply, Turn

HELP = (
    "I answer questions about companies from their documents, every figure computed exactly and cited. "
    "Paste a table (Markdown or CSV) with your question, e.g. “What is the percentage change in revenue "
    "from 2018 to 2019?”, or upload documents with `POST /v1/documents`."
)


async def report_writer(turn: Turn) -> Reply:
    if not turn.data or not turn.instruction:
        return Reply(HELP)
    result = await turn.call("reports-answer_table_question", question=turn.instruction, table=turn.data)
    if result.get("declined"):
        return Reply(
            f"I cannot determine that exactly from the table: {result.get('reason', 'no confident match')}."
        )
    cells = "; ".join(f"{c['row']} / {c['column']} = {c['text']}" for c in result.get("cells", []))
    scale = f" ({result['scale']})" if result.get("scale") else ""
    lines = [f"**Answer:** {result['value']}{scale}"]
    if result.get("formula"):
        lines.append(f"**Computed as:** {result['formula']}")
    if cells:
        lines.append(f"**Cells used:** {cells}")
    return Reply("\n\n".join(lines), data=result)
