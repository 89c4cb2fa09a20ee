// Log triage: upload with progress (XHR), the job's progress (SSE, else polling), its templates
// in a filterable table (explanations, examples, category with a correction menu), lines per
// category as a chart, and the suggested categories to accept or reject. Field names are read
// leniently (see docs/web-ui.md for the contract of /v1/logs).

import { ApiError, get, hasRoute, post, stream, upload } from "./api.js";
import { $, announce, clear, errorText, h, num, template, when } from "./dom.js";
import { barChart } from "./charts.js";

const DONE = new Set(["succeeded", "done", "completed", "complete", "finished"]);
const FAILED = new Set(["failed", "error", "cancelled", "canceled"]);
const POLL_MS = 1000;

const stateOf = (j) => String(j?.state || j?.status || "queued").toLowerCase();
const itemsOf = (v) => (Array.isArray(v) ? v : v?.items || v?.categories || []);
const resultOf = (j) => j?.result || j || {};
const categoryOf = (t) => t.category?.name || t.category || t.category_name || t.category_id || t.classification?.category || "";
const levelOf = (t) => t.level || ["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"].find((l) => t.levels?.[l]) || "";

function fraction(j) {
  const p = j?.progress ?? j?.fraction;
  if (typeof p === "number") return p > 1 ? p / 100 : p;
  if (p && typeof p === "object") return p.fraction ?? (p.total_bytes ? p.bytes_read / p.total_bytes : null);
  return null;
}

function counters(j) {
  const p = (j?.progress && typeof j.progress === "object" ? j.progress : j) || {};
  const n = p.lines !== undefined ? `${num(p.lines)} lines` : p.records !== undefined ? `${num(p.records)} records` : "";
  return [p.phase, n].filter(Boolean).join(", ");
}

function explain(t) {
  const r = t.rewrite || {};
  const parts = [r.title && h("p", {}, h("strong", {}, r.title)), r.what_happened && h("p", {}, r.what_happened), r.impact && h("p", {}, `Impact: ${r.impact}`),
    r.check && h("p", {}, `Check: ${r.check}`), r.template_explained && h("p", { class: "muted" }, r.template_explained),
    (t.examples || []).length ? h("pre", {}, t.examples.slice(0, 3).join("\n")) : null].filter(Boolean);
  return parts.length ? h("details", {}, h("summary", {}, "Explain"), parts) : null;
}

export async function render(main, route) {
  main.append(template("tpl-triage"));
  const form = $("#upload-form", main);
  const status = $("#triage-status", main);
  const jobBar = $("#job-progress", main);
  let job = null;
  let templates = [];
  let active = []; // categories a template can be corrected to (triagers and admins)
  let stopped = false;
  let timer = null;
  const aborter = new AbortController();

  function setJob(j) {
    const f = fraction(j);
    if (f !== null && f !== undefined) jobBar.value = Math.round(f * 100);
    $("#job-state", main).textContent = `${stateOf(j)} ${counters(j)}`.trim();
  }

  function showTemplates() {
    const r = resultOf(job);
    templates = r.templates || [];
    $("#triage-result", main).hidden = false;
    $("#triage-summary", main).textContent = `${num(r.template_count ?? templates.length)} templates${r.lines !== undefined ? ` from ${num(r.lines)} lines` : ""}` +
      `${r.format ? ` (format ${r.format})` : ""}${r.new_templates ? `, ${num(r.new_templates)} new` : ""}${r.mode ? `; ${r.mode} mode` : ""}.`;
    const cats = [...new Set(templates.map(categoryOf).filter(Boolean))].sort();
    clear($("#f-category", main), h("option", { value: "" }, "Any"), cats.map((c) => h("option", {}, c)));
    filter();
    const perCategory = r.categories?.length
      ? r.categories.map((c) => ({ label: c.name, value: c.lines ?? c.templates ?? 0, tone: c.id ? "" : "muted" }))
      : cats.map((c) => ({ label: c, value: templates.filter((t) => categoryOf(t) === c).reduce((s, t) => s + (t.count || 0), 0) }));
    if (perCategory.length) clear($("#categories-chart", main), barChart("Lines per category", perCategory.sort((a, b) => b.value - a.value)));
  }

  function categoryCell(t) {
    const name = categoryOf(t);
    const conf = t.category?.confidence !== undefined ? ` (${Math.round(t.category.confidence * 100)}%)` : "";
    if (!active.length || !job?.id) return h("td", {}, name + conf);
    const note = h("span", { class: "small", role: "status" });
    const choices = active.some((c) => c.name === name) || !name ? active : [{ id: t.category?.id || name, name }, ...active];
    const select = h("select", { "aria-label": `Category of ${t.text}` }, h("option", { value: "" }, "none fits"),
      choices.map((c) => h("option", { value: c.id, selected: c.name === name }, c.name)));
    select.addEventListener("change", async () => {
      try {
        await post(`/v1/logs/triage/${job.id}/templates/${encodeURIComponent(t.id)}/category`, { category_id: select.value || null });
        note.textContent = " saved";
        announce(`Category of the template set to ${select.selectedOptions[0].textContent}`);
      } catch (err) {
        note.textContent = ` ${errorText(err)}`;
      }
    });
    return h("td", {}, select, conf ? h("span", { class: "small muted" }, conf) : null, note);
  }

  function filter() {
    const text = $("#f-text", main).value.toLowerCase();
    const level = $("#f-level", main).value;
    const category = $("#f-category", main).value;
    const onlyNew = $("#f-new", main).checked;
    const shown = templates.filter((t) => (!text || String(t.text || t.template).toLowerCase().includes(text)) && (!level || levelOf(t) === level)
      && (!category || categoryOf(t) === category) && (!onlyNew || t.is_new));
    clear($("#templates tbody", main), shown.slice(0, 500).map((t) => h("tr", {},
      h("td", { class: "num" }, num(t.count)), h("td", {}, levelOf(t)),
      h("td", {}, h("code", {}, t.text || t.template), (t.flags || []).length ? h("span", { class: "error small" }, " flagged") : null, explain(t)),
      categoryCell(t), h("td", {}, when(t.first_seen?.timestamp) || (t.first_seen ? `line ${t.first_seen.line_no}` : "")), h("td", {}, t.is_new ? "new" : ""))));
    $("#templates-count", main).textContent = `Showing ${Math.min(shown.length, 500)} of ${templates.length} templates.`;
  }

  async function follow(id) {
    // SSE first; a server without it (or an unknown route) falls back to polling the job
    try {
      for await (const e of await stream("GET", `/v1/logs/triage/${id}/events`, undefined, aborter.signal)) {
        setJob(e);
        if (DONE.has(stateOf(e)) || FAILED.has(stateOf(e))) break;
      }
    } catch (err) {
      if (!(err instanceof ApiError) || !err.unavailable) throw err;
    }
    for (;;) {
      if (stopped) return;
      job = await get(`/v1/logs/triage/${id}`);
      setJob(job);
      if (FAILED.has(stateOf(job))) {
        status.textContent = `Triage failed: ${job.error || "unknown error"}`;
        return;
      }
      if (DONE.has(stateOf(job))) {
        jobBar.value = 100;
        status.textContent = "Triage done.";
        announce(`Triage done: ${(resultOf(job).templates || []).length} templates`);
        showTemplates();
        loadCategories();
        return;
      }
      await new Promise((r) => (timer = setTimeout(r, POLL_MS)));
    }
  }

  async function loadCategories() {
    const box = $("#suggestions", main);
    try {
      const cats = itemsOf(await get("/v1/logs/categories"));
      active = cats.filter((c) => !c.state || c.state === "active");
      const suggested = cats.filter((c) => ["suggested", "pending", "proposed"].includes(String(c.state || c.status).toLowerCase()));
      clear(box, suggested.map(suggestion));
      if (!suggested.length) box.append(h("li", { class: "muted" }, "No suggested categories to review."));
      if (templates.length) filter(); // the category menus need the active categories
    } catch (err) {
      const note = $("#categories-unavailable", main);
      note.hidden = false;
      note.textContent = `Categories: ${errorText(err)}`;
    }
  }

  function suggestion(c) {
    const note = h("span", { role: "status" });
    const act = (verb) => async () => {
      try {
        const done = await post(`/v1/logs/categories/${encodeURIComponent(c.id)}/${verb}`, {});
        note.textContent = verb === "accept" ? "Accepted." : "Rejected.";
        announce(`Category ${c.name} ${verb}ed${done?.templates_updated ? `; ${done.templates_updated} templates updated` : ""}`);
        setTimeout(() => (job?.id ? follow(job.id) : loadCategories()), 300);
      } catch (err) {
        note.textContent = `Could not ${verb}: ${errorText(err)}`;
      }
    };
    const members = (c.members || []).slice(0, 5);
    return h("li", { class: "card" }, h("h3", {}, c.name), c.description ? h("p", {}, c.description) : null,
      members.length ? h("ul", { class: "small", "aria-label": `Templates behind ${c.name}` }, members.map((m) => h("li", {}, h("code", {}, m.text || m.id)))) : null,
      h("div", { class: "row" }, h("button", { type: "button", onclick: act("accept"), "aria-label": `Accept category ${c.name}` }, "Accept"),
        h("button", { type: "button", class: "danger", onclick: act("reject"), "aria-label": `Reject category ${c.name}` }, "Reject")), note);
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const file = $("#log-file", main).files[0];
    if (!file) return;
    const data = new FormData();
    data.append("file", file);
    const source = $("#log-source", main).value.trim();
    if (source) data.append("source", source);
    status.textContent = `Uploading ${file.name}…`;
    jobBar.value = 0;
    try {
      const started = await upload("/v1/logs/triage", data, (f) => {
        $("#upload-progress", main).value = Math.round(f * 100);
        $("#upload-pct", main).textContent = `${Math.round(f * 100)}%`;
      });
      $("#upload-progress", main).value = 100;
      $("#upload-pct", main).textContent = "100%";
      status.textContent = "Uploaded; triaging…";
      history.replaceState(null, "", `#/triage/${started.id}`);
      setJob(started);
      await follow(started.id);
    } catch (err) {
      status.textContent = `Triage failed: ${errorText(err)}`;
      if (err.unavailable) unavailableNote();
    }
  });
  for (const id of ["#f-text", "#f-level", "#f-category", "#f-new"]) $(id, main).addEventListener("input", filter);

  function unavailableNote() {
    const note = $("#triage-unavailable", main);
    note.hidden = false;
    note.textContent = "Log triage: not available on this server yet (no /v1/logs/triage). The upload form will work once it is deployed.";
  }

  if (!(await hasRoute("/v1/logs/triage"))) unavailableNote();
  else recent();
  if (route.id) follow(route.id).catch((err) => (status.textContent = `Could not load the triage: ${errorText(err)}`));
  loadCategories();

  async function recent() {
    try {
      const page = await get("/v1/logs/triage?limit=10");
      const items = (page.items || []).filter((j) => j.id !== route.id);
      if (!items.length) return;
      form.after(h("details", { class: "recent" }, h("summary", {}, `Recent triages (${items.length})`),
        h("ul", {}, items.map((j) => h("li", {}, h("a", { href: `#/triage/${j.id}` }, j.source?.name || j.id), ` — ${j.state}, ${when(j.created_at)}`)))));
    } catch {
      /* optional */
    }
  }
  return () => {
    stopped = true;
    clearTimeout(timer);
    aborter.abort();
  };
}
