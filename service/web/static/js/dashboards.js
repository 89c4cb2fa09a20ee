// Dashboards: usage and cost, budget, latency, errors and traffic, evaluation scores, agent
// activity, drift and alerts. One call to /v1/dashboards/summary (operators, admins) feeds every
// panel; without it (a user, or an older server) each panel asks its own API, and a panel whose
// API is missing or not allowed for the role says so.

import { get, hasRoute } from "./api.js";
import { $, clear, errorText, h, num, template, unavailable, when } from "./dom.js";
import { barChart, lineChart } from "./charts.js";

const isNum = (v) => typeof v === "number" && Number.isFinite(v);
const byDay = (rows, field) => (rows || []).map((r) => [r.day, r[field]]);

function panel(grid, id, title) {
  const body = h("div", { class: "panel-body", "aria-busy": "true" }, h("p", { class: "muted" }, "Loading…"));
  grid.append(h("section", { class: "panel card", id, "aria-labelledby": `${id}-h` }, h("h2", { id: `${id}-h` }, title), body));
  return body;
}

// Fill a panel from ``load`` (an async function returning data, or null when there is none).
async function fill(body, load, draw) {
  try {
    const data = await load();
    clear(body);
    if (data === undefined) body.append(unavailable("this panel's API"));
    else if (data !== null) draw(body, data);
    if (!body.childNodes.length) body.append(h("p", { class: "muted" }, "No data yet."));
  } catch (err) {
    const note = err.unavailable ? unavailable(err.path || "this panel's API") : null;
    clear(body, note || h("p", { class: err.status === 403 ? "notice" : "error" }, errorText(err)));
  } finally {
    body.setAttribute("aria-busy", "false");
  }
}

// GET ``path`` if this server has it; undefined when it does not (the panel says "not available").
async function optional(path) {
  if (!(await hasRoute(path.split("?")[0]))) return undefined;
  try {
    return await get(path);
  } catch (err) {
    err.path = path.split("?")[0];
    throw err;
  }
}

function cards(values) {
  const entries = Object.entries(values || {}).filter(([, v]) => isNum(v));
  return entries.length ? h("dl", { class: "cards-row" }, entries.map(([k, v]) => h("div", { class: "stat" }, h("dt", {}, k.replace(/_/g, " ")), h("dd", {}, num(v, k.includes("cost") ? 4 : 2))))) : null;
}

function usage(body, u) {
  body.append(cards(u.totals) || "");
  if (u.by_day?.length) {
    body.append(lineChart("Cost by day (USD)", { cost_usd: byDay(u.by_day, "cost_usd") }, { unit: " USD" }),
      lineChart("Tokens by day", { prompt: byDay(u.by_day, "prompt_tokens"), completion: byDay(u.by_day, "completion_tokens") }));
  }
  const agents = (u.by_agent || []).filter((g) => g.total_tokens || g.runs);
  if (agents.length) body.append(barChart("Tokens by agent", agents.map((g) => ({ label: g.key.agent || "?", value: g.total_tokens }))));
}

function budget(body, b) {
  body.append(cards(Object.fromEntries(Object.entries(b.remaining || {}).map(([k, v]) => [`${k} remaining`, v]))) || "",
    cards(b.usage) || "", b.resets ? h("p", { class: "muted small" }, Object.entries(b.resets).map(([k, v]) => `${k} resets ${when(v)}`).join(" · ")) : "");
}

function rowsOf(endpoints) {
  return (endpoints || []).flatMap((e) => (e.deployments || [e]).map((d) => ({ ...d, name: `${e.endpoint}/${d.deployment}` })));
}

function latency(body, rows) {
  if (!rows.length) return body.append(h("p", { class: "muted" }, "No endpoints."));
  if (rows.every((r) => !r.requests)) body.append(h("p", { class: "muted" }, "No scored requests in this window."));
  body.append(barChart("p95 latency per deployment (ms)", rows.map((r) => ({ label: r.name, value: r.p95_ms ?? 0 })), { unit: " ms" }),
    barChart("p50 latency per deployment (ms)", rows.map((r) => ({ label: r.name, value: r.p50_ms ?? 0, tone: "muted" })), { unit: " ms" }));
}

function errors(body, rows) {
  if (!rows.length) return body.append(h("p", { class: "muted" }, "No endpoints."));
  body.append(barChart("Error rate per deployment", rows.map((r) => ({ label: r.name, value: r.error_rate ?? 0, tone: r.error_rate > 0.05 ? "bad" : "ok" })), { max: Math.max(0.1, ...rows.map((r) => r.error_rate || 0)) }),
    barChart("Requests per deployment", rows.map((r) => ({ label: r.name, value: r.requests ?? 0, tone: "muted" }))),
    barChart("Configured traffic (%)", rows.map((r) => ({ label: r.name, value: r.traffic_percent ?? 0 })), { unit: "%", max: 100 }));
}

function evalScores(body, { runs, trend }) {
  const done = (runs?.items || []).filter((r) => r.state === "succeeded");
  if (done.length) {
    const latest = done[0];
    const variant = Object.keys(latest.summary || {})[0];
    const metrics = Object.entries(latest.summary?.[variant] || {}).filter(([, v]) => isNum(v));
    body.append(barChart(`Latest eval run ${latest.name || latest.id.slice(0, 8)} (${variant}, ${when(latest.created_at)})`, metrics.map(([k, v]) => ({ label: k, value: v })), { max: 1 }));
  }
  const series = Object.fromEntries(Object.entries(trend?.series || {}).map(([m, pts]) => [m, pts.map((p) => [p.day, p.mean])]));
  if (Object.keys(series).length) body.append(lineChart("Online evaluation of live turns, daily mean", series));
  if (!body.childNodes.length) body.append(h("p", { class: "muted" }, "No evaluation yet: run one (POST /v1/evals/runs) or turn on online evaluation."));
}

function agents(body, a) {
  if (a.runs?.length) body.append(lineChart("Agent runs by day", { runs: byDay(a.runs, "runs"), tool_calls: byDay(a.runs, "tool_calls"), llm_calls: byDay(a.runs, "llm_calls") }));
  if (a.flags?.by_day?.length) body.append(lineChart("Prompt-injection flags by day", { flags: byDay(a.flags.by_day, "count") }));
  const cats = {};
  for (const r of a.logs?.by_category || []) cats[r.category] = (cats[r.category] || 0) + r.lines;
  if (Object.keys(cats).length) body.append(barChart("Log lines by category", Object.entries(cats).map(([label, value]) => ({ label, value }))));
}

function drift(body, points) {
  if (!points.length) return body.append(h("p", { class: "muted" }, "No drift report yet (the monitoring worker writes them on schedule)."));
  const tone = (s) => (s === "drift" ? "bad" : s === "warning" ? "muted" : "ok");
  body.append(barChart("Largest input PSI per deployment (latest report)", points.map((p) => ({ label: `${p.endpoint || ""}/${p.deployment}`, value: p.max_psi ?? 0, tone: tone(p.status) }))),
    h("ul", { class: "small" }, points.map((p) => h("li", {}, `${p.endpoint || ""}/${p.deployment}: ${p.status}, ${num(p.samples)} samples, prediction PSI ${num(p.prediction_psi, 3)} (${when(p.until)})`))));
}

function alerts(body, a) {
  const firing = a.firing || (a.items || []).filter((r) => r.state === "firing");
  const total = a.total ?? (a.items || []).length;
  body.append(h("p", {}, `${firing.length} firing of ${total} alert rules.`));
  if (!firing.length) return;
  body.append(h("table", { class: "data" },
    h("thead", {}, h("tr", {}, ["Alert", "Value", "Threshold", "Since", "Proposal"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, firing.map((r) => h("tr", { class: "firing" }, h("td", {}, `${r.name} (${r.series})`), h("td", {}, num(r.last_value, 3)),
      h("td", {}, `${r.op} ${num(r.threshold, 3)}`), h("td", {}, when(r.fired_at)),
      h("td", {}, r.approval_id ? h("a", { href: `#/approvals/${r.approval_id}` }, "approval") : "–"))))));
}

export async function render(main) {
  main.append(template("tpl-dashboards"));
  const grid = $("#panels", main);
  const windowSel = $("#d-window", main);

  async function load() {
    clear(grid);
    const minutes = Number(windowSel.value);
    const days = Math.max(1, Math.round(minutes / 1440));
    const bodies = Object.fromEntries(
      [["usage", "Usage and cost"], ["budget", "Budget"], ["latency", "Latency"], ["errors", "Errors and traffic"],
        ["evals", "Evaluation scores"], ["agents", "Agent activity"], ["drift", "Drift"], ["alerts", "Alerts"]].map(([id, t]) => [id, panel(grid, `p-${id}`, t)]),
    );
    // the summary when this role may read it; otherwise each panel falls back to its own API
    const summary = await optional(`/v1/dashboards/summary?days=${days}&window_minutes=${minutes}`).catch(() => undefined);
    const s = summary || {};
    const agentData = s.agents ? Promise.resolve(s.agents) : optional(`/v1/monitoring/agents?days=${days}`).catch(() => undefined);
    const endpointRows = async () => {
      if (s.endpoints) return rowsOf(s.endpoints.items);
      const monitored = await optional(`/v1/monitoring/endpoints?window_minutes=${minutes}`);
      if (monitored) return rowsOf(monitored.endpoints);
      const rows = [];
      for (const ep of await get("/v1/endpoints")) {
        for (const m of await get(`/v1/endpoints/${encodeURIComponent(ep.name)}/metrics?window_minutes=${minutes}`)) rows.push({ ...m, name: `${m.endpoint}/${m.deployment}` });
      }
      return rows;
    };
    const rows = endpointRows();
    fill(bodies.usage, async () => s.usage || usageFrom(await optional(`/v1/usage?group_by=day`)), usage);
    fill(bodies.budget, async () => s.budget || optional("/v1/budgets"), budget);
    fill(bodies.latency, () => rows, latency);
    fill(bodies.errors, () => rows, errors);
    fill(bodies.evals, async () => ({ runs: await get("/v1/evals/runs?limit=50").catch(() => null), trend: (await agentData)?.evals }), evalScores);
    fill(bodies.agents, () => agentData, agents);
    fill(bodies.drift, async () => s.drift || driftFrom(await get("/v1/endpoints"), days), drift);
    fill(bodies.alerts, async () => s.alerts || optional("/v1/alerts?limit=200"), alerts);
  }
  windowSel.addEventListener("change", load);
  $("#d-refresh", main).addEventListener("click", load);
  load();
}

function usageFrom(u) {
  if (!u) return u;
  return { totals: u.totals, by_day: (u.groups || []).map((g) => ({ day: g.key.day, ...g })) };
}

async function driftFrom(endpoints, days) {
  if (!(await hasRoute("/v1/monitoring/drift/history"))) return undefined;
  const latest = [];
  for (const ep of endpoints) {
    const history = await get(`/v1/monitoring/drift/history?endpoint=${encodeURIComponent(ep.name)}&days=${Math.max(days, 7)}`);
    const last = {};
    for (const p of history.points || []) last[p.deployment] = { ...p, endpoint: ep.name };
    latest.push(...Object.values(last));
  }
  return latest;
}
