// One assistant turn in the chat: its activity (handoffs, tool calls and results, approvals,
// flags), the answer as it streams, and the sources it cites. Fed the run's events one at a time,
// live from the SSE stream or replayed from GET /v1/runs/{id}/events.

import { h, num, shortId } from "./dom.js";
import { render as markdown } from "./markdown.js";

function pretty(value) {
  if (typeof value !== "string") return JSON.stringify(value, null, 2);
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}

function parsed(value) {
  if (value && typeof value === "object") return value;
  try {
    return JSON.parse(value);
  } catch {
    return null; // a summary cut at 800 characters: read the ids with a pattern instead
  }
}

// Citations from a tool result: answers from documents carry document_id and cells; reports carry
// report_id and export links. metadata.citations (if an agent provides it) uses the same keys.
export function citationsOf(result) {
  const out = [];
  const data = parsed(result);
  if (data) {
    const docId = data.document_id || data.doc_id;
    if (docId) {
      const cells = data.cells?.length ? data.cells : [{}];
      for (const c of cells) out.push(docCitation({ ...c, document_id: c.document_id || c.document || docId, name: data.document }));
    }
    if (data.report_id) out.push({ label: `Report ${data.title || data.report_id}`, href: `/v1/reports/${data.report_id}/export/html`, api: true });
    return out;
  }
  if (typeof result === "string") {
    const doc = /"document_id":\s*"([\w-]+)"/.exec(result);
    if (doc) out.push(docCitation({ document_id: doc[1] }));
    const report = /"report_id":\s*"([\w-]+)"/.exec(result);
    if (report) out.push({ label: `Report ${report[1]}`, href: `/v1/reports/${report[1]}/export/html`, api: true });
  }
  return out;
}

export function docCitation(c) {
  const docId = c.document_id || c.doc_id || c.document;
  const table = c.table ?? c.table_index;
  const q = new URLSearchParams();
  if (table !== undefined && table !== null) q.set("table", table);
  for (const [k, v] of [["row", c.row ?? c.row_label], ["col", c.column ?? c.column_label], ["text", c.text], ["where", c.location]]) {
    if (v !== undefined && v !== null && v !== "") q.set(k, v);
  }
  const where = [c.location, table !== undefined && table !== null ? `table ${table}` : "", c.row ?? c.row_label, c.column ?? c.column_label]
    .filter((x) => x !== undefined && x !== null && x !== "")
    .join(", ");
  const label = `${c.name || `document ${shortId(docId)}`}${where ? ` — ${where}` : ""}${c.text ? `: ${c.text}` : ""}`;
  return { label, href: `#/documents/${encodeURIComponent(docId)}?${q}` };
}

export class Turn {
  constructor(agent = null, { open = false } = {}) {
    this.calls = new Map();
    this.streamed = "";
    this.citations = new Map();
    this.agentEl = h("span", { class: "agent" }, agent || "assistant");
    this.stateEl = h("span", { class: "state" });
    this.steps = h("ol", { class: "steps" });
    this.activity = h("details", { class: "activity", open }, h("summary", {}, "Activity"), this.steps);
    this.answer = h("div", { class: "answer" });
    this.sources = h("ul", { class: "citations" });
    this.sourcesBox = h("div", { class: "sources", hidden: true }, h("h3", {}, "Sources"), this.sources);
    this.el = h("li", { class: "turn assistant" }, h("div", { class: "meta" }, this.agentEl, this.stateEl), this.activity, this.answer, this.sourcesBox);
  }

  step(cls, ...children) {
    const li = h("li", { class: cls }, ...children);
    this.steps.append(li);
    this.activity.querySelector("summary").textContent = `Activity (${this.steps.children.length} steps)`;
    return li;
  }

  cite(list) {
    for (const c of list) {
      if (this.citations.has(c.label)) continue;
      this.citations.set(c.label, c);
      const attrs = c.api ? { href: c.href, "data-api": "download" } : { href: c.href };
      this.sources.append(h("li", {}, h("a", attrs, c.label)));
      this.sourcesBox.hidden = false;
    }
  }

  setAnswer(text, metadata = {}) {
    this.answer.replaceChildren(markdown(text));
    const mode = metadata.mode ? `${metadata.mode}${metadata.model && metadata.model !== "none" ? ` · ${metadata.model}` : ""}` : "";
    if (mode) this.stateEl.textContent = mode;
    if (Array.isArray(metadata.citations)) this.cite(metadata.citations.map((c) => (c.href ? c : docCitation(c))));
  }

  handle(event, { live = true } = {}) {
    const d = event.data || {};
    const who = event.agent || "user";
    switch (event.type) {
      case "run.started":
        this.step("info", `Run started (${d.mode || "?"} mode)`);
        break;
      case "handoff":
        this.step("handoff", h("strong", {}, who), " hands off to ", h("strong", {}, d.to));
        this.agentEl.textContent = d.to;
        break;
      case "tool_call": {
        const li = this.step("tool", h("strong", {}, who), " calls ", h("code", {}, d.tool), h("span", { class: "status" }, " …"),
          h("details", {}, h("summary", {}, "arguments"), h("pre", {}, pretty(d.args))));
        this.calls.set(d.call_id, li);
        break;
      }
      case "tool_result": {
        const li = this.calls.get(d.call_id) || this.step("tool", h("strong", {}, who), " called ", h("code", {}, d.tool), h("span", { class: "status" }));
        const status = li.querySelector(".status");
        status.textContent = d.error ? ` failed: ${d.error}` : ` done in ${num(d.duration_ms, 0)} ms${d.state_changing ? " (proposed)" : ""}`;
        li.classList.toggle("failed", Boolean(d.error));
        if (d.result) li.append(h("details", {}, h("summary", {}, "result"), h("pre", {}, pretty(d.result))));
        this.cite(citationsOf(d.result));
        break;
      }
      case "approval_requested":
        this.step("approval", "Approval requested: ", h("a", { href: `#/approvals/${d.approval_id}` }, `${d.operation || "operation"} (${shortId(d.approval_id)})`), " — waits for an operator");
        break;
      case "flag":
        this.step("flag", `Flagged: ${d.kind || d.type || "finding"}${d.severity ? ` (${d.severity})` : ""}${d.reason ? ` — ${d.reason}` : ""}`);
        break;
      case "token":
        if (!live) break;
        this.streamed += d.delta || "";
        this.answer.replaceChildren(h("div", { class: "streaming" }, this.streamed));
        break;
      case "llm.call":
        this.step("llm", `${who} called ${d.model || "the model"}${d.completion_tokens ? ` (${d.prompt_tokens}+${d.completion_tokens} tokens)` : ""}`);
        break;
      case "llm.retry":
      case "llm.fallback":
      case "llm.unavailable":
        this.step("warn", `${event.type.replace("llm.", "LLM ")}: ${d.reason || d.error || d.to || ""}`);
        break;
      case "message":
        if (d.final) this.setAnswer(d.content || "", d.metadata || {});
        if (event.agent) this.agentEl.textContent = event.agent;
        break;
      case "error":
        this.step("failed", `Error: ${d.message || "the run failed"}`);
        if (!this.answer.textContent) this.answer.replaceChildren(h("p", { class: "error" }, d.message || "The run failed."));
        break;
      case "run.completed":
        this.stateEl.textContent = [this.stateEl.textContent, d.state].filter(Boolean).join(" · ");
        this.el.dataset.state = d.state || "";
        break;
      default:
        break;
    }
  }
}
