// Log triage: upload with progress (XHR), the job's progress (SSE, else polling), its templates
// in a filterable table, the categories as a chart, and suggested categories to accept or reject.
// Field names are read leniently (state|status, progress as fraction or counters, ...): see
// docs/web-ui.md for the contract this page expects from /v1/logs.

import { ApiError, get, hasRoute, post, stream, upload } from "./api.js";
import { $, announce, clear, errorText, h, num, template, when } from "./dom.js";
import { barChart } from "./charts.js";

const DONE = new Set(["succeeded", "done", "completed", "complete", "finished"]);
const FAILED = new Set(["failed", "error", "cancelled", "canceled"]);
const POLL_MS = 1000;

const stateOf = (j) => String(j?.state || j?.status || "queued").toLowerCase();
const itemsOf = (v) => (Array.isArray(v) ? v : v?.items || v?.categories || []);

function fraction(j) {
  const p = j?.progress ?? j?.fraction;
  if (typeof p === "number") return p > 1 ? p / 100 : p;
  if (p && typeof p === "object") return p.fraction ?? (p.total_bytes ? p.bytes_read / p.total_bytes : null);
  return null;
}

function counters(j) {
  const p = (j?.progress && typeof j.progress === "object" ? j.progress : j) || {};
  return p.lines !== undefined ? `${num(p.lines)} lines` : p.records !== undefined ? `${num(p.records)} records` : "";
}

const templatesOf = (j) => j?.templates || j?.result?.templates || [];
const categoryOf = (t) => t.category?.name || t.category || t.category_name || t.classification?.category || "";
const levelOf = (t) => ["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"].find((l) => t.levels?.[l]) || t.level || "";

export async function render(main, route) {
  main.append(template("tpl-triage"));
  const form = $("#upload-form", main);
  const status = $("#triage-status", main);
  const jobBar = $("#job-progress", main);
  let templates = [];
  let stopped = false;
  let timer = null;
  const aborter = new AbortController();

  function setJob(job) {
    const f = fraction(job);
    if (f !== null && f !== undefined) jobBar.value = Math.round(f * 100);
    $("#job-state", main).textContent = `${stateOf(job)} ${counters(job)}`.trim();
  }

  function showTemplates(job) {
    templates = templatesOf(job);
    $("#triage-result", main).hidden = false;
    const lines = job.lines ?? job.result?.lines;
    $("#triage-summary", main).textContent = `${templates.length} templates${lines !== undefined ? ` from ${num(lines)} lines` : ""}${job.format || job.result?.format ? ` (format ${job.format || job.result.format})` : ""}.`;
    const cats = [...new Set(templates.map(categoryOf).filter(Boolean))].sort();
    const sel = $("#f-category", main);
    clear(sel, h("option", { value: "" }, "Any"), cats.map((c) => h("option", {}, c)));
    filter();
    if (cats.length) chart(cats.map((c) => ({ label: c, value: templates.filter((t) => categoryOf(t) === c).reduce((s, t) => s + (t.count || 0), 0) })));
  }

  function filter() {
    const text = $("#f-text", main).value.toLowerCase();
    const level = $("#f-level", main).value;
    const category = $("#f-category", main).value;
    const onlyNew = $("#f-new", main).checked;
    const shown = templates.filter((t) => (!text || String(t.text || t.template).toLowerCase().includes(text)) && (!level || levelOf(t) === level)
      && (!category || categoryOf(t) === category) && (!onlyNew || t.is_new));
    const body = clear($("#templates tbody", main));
    for (const t of shown.slice(0, 500)) {
      body.append(h("tr", {}, h("td", { class: "num" }, num(t.count)), h("td", {}, levelOf(t)), h("td", {}, h("code", {}, t.text || t.template)),
        h("td", {}, categoryOf(t)), h("td", {}, when(t.first_seen?.timestamp) || (t.first_seen ? `line ${t.first_seen.line_no}` : "")), h("td", {}, t.is_new ? "new" : "")));
    }
    $("#templates-count", main).textContent = `Showing ${Math.min(shown.length, 500)} of ${templates.length} templates.`;
  }

  function chart(data) {
    clear($("#categories-chart", main), barChart("Lines per category", data.sort((a, b) => b.value - a.value)));
  }

  async function follow(id) {
    // SSE first; a server without it (or an unknown route) falls back to polling the job
    try {
      const events = await stream("GET", `/v1/logs/triage/${id}/events`, undefined, aborter.signal);
      for await (const e of events) {
        const job = e.data && typeof e.data === "object" ? { ...e.data, state: e.data.state || e.state || e.type } : e;
        setJob(job);
        if (DONE.has(stateOf(job)) || FAILED.has(stateOf(job))) break;
      }
    } catch (err) {
      if (!(err instanceof ApiError) || !err.unavailable) throw err;
    }
    for (;;) {
      if (stopped) return;
      const job = await get(`/v1/logs/triage/${id}`);
      setJob(job);
      if (FAILED.has(stateOf(job))) {
        status.textContent = `Triage failed: ${job.error || "unknown error"}`;
        return;
      }
      if (DONE.has(stateOf(job))) {
        jobBar.value = 100;
        status.textContent = "Triage done.";
        announce(`Triage done: ${templatesOf(job).length} templates`);
        showTemplates(job);
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
      clear(box);
      const suggested = cats.filter((c) => ["suggested", "pending", "proposed"].includes(String(c.state || c.status).toLowerCase()));
      for (const c of suggested) box.append(suggestion(c));
      if (!suggested.length) box.append(h("li", { class: "muted" }, "No suggested categories to review."));
      if (!templates.length && cats.length) chart(cats.map((c) => ({ label: c.name, value: c.count ?? c.lines ?? c.template_count ?? 0 })));
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
        await post(`/v1/logs/categories/${encodeURIComponent(c.id)}/${verb}`, {});
        note.textContent = verb === "accept" ? "Accepted." : "Rejected.";
        announce(`Category ${c.name} ${verb}ed`);
        setTimeout(loadCategories, 300);
      } catch (err) {
        note.textContent = `Could not ${verb}: ${errorText(err)}`;
      }
    };
    return h("li", { class: "card" }, h("h3", {}, c.name), c.description ? h("p", {}, c.description) : null,
      h("p", { class: "muted small" }, [c.count ?? c.template_count, c.count !== undefined || c.template_count !== undefined ? "templates" : ""].join(" ")),
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
      const job = await upload("/v1/logs/triage", data, (f) => {
        $("#upload-progress", main).value = Math.round(f * 100);
        $("#upload-pct", main).textContent = `${Math.round(f * 100)}%`;
      });
      $("#upload-progress", main).value = 100;
      status.textContent = "Uploaded; triaging…";
      history.replaceState(null, "", `#/triage/${job.id}`);
      setJob(job);
      await follow(job.id);
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
  if (route.id) follow(route.id).catch((err) => (status.textContent = `Could not load job: ${errorText(err)}`));
  loadCategories();
  return () => {
    stopped = true;
    clearTimeout(timer);
    aborter.abort();
  };
}
