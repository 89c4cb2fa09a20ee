// Dashboards: usage and cost, latency, errors, evaluation scores, drift and alerts. Each panel
// loads on its own; a panel whose API this server does not have says "not available".

import { get, hasRoute } from "./api.js";
import { $, clear, errorText, h, num, template, unavailable, when } from "./dom.js";
import { barChart, lineChart } from "./charts.js";

const X_KEYS = ["day", "date", "bucket", "time", "hour", "period", "ts"];
const isNum = (v) => typeof v === "number" && Number.isFinite(v);

function panel(grid, id, title) {
  const body = h("div", { class: "panel-body", "aria-busy": "true" }, h("p", { class: "muted" }, "Loading…"));
  grid.append(h("section", { class: "panel card", id, "aria-labelledby": `${id}-h` }, h("h2", { id: `${id}-h` }, title), body));
  return body;
}

async function fill(body, path, draw) {
  try {
    if (!(await hasRoute(path.split("?")[0]))) {
      clear(body, unavailable(path.split("?")[0]));
      return;
    }
    const data = await get(path);
    clear(body);
    draw(body, data);
    if (!body.childNodes.length) body.append(h("p", { class: "muted" }, "No data yet."));
  } catch (err) {
    clear(body, err.unavailable ? unavailable(path) : h("p", { class: "error" }, errorText(err)));
  } finally {
    body.setAttribute("aria-busy", "false");
  }
}

// Numbers at the top level (or under totals/summary) as cards.
function cards(data) {
  const src = data?.totals || data?.summary || data || {};
  const entries = Object.entries(src).filter(([, v]) => isNum(v));
  if (!entries.length) return null;
  return h("dl", { class: "cards-row" }, entries.slice(0, 12).map(([k, v]) => h("div", { class: "stat" }, h("dt", {}, k.replace(/_/g, " ")), h("dd", {}, num(v)))));
}

// The first array of rows with a time-like key, as {field: [[x, y]]} for the numeric fields.
function seriesOf(data, only) {
  const rows = [data?.series, data?.by_day, data?.daily, data?.items, data?.points, Array.isArray(data) ? data : null].find(
    (r) => Array.isArray(r) && r.length && typeof r[0] === "object",
  );
  if (!rows) return null;
  const xKey = X_KEYS.find((k) => k in rows[0]);
  if (!xKey) return null;
  const fields = Object.keys(rows[0]).filter((k) => k !== xKey && isNum(rows[0][k]) && (!only || only.test(k)));
  if (!fields.length) return null;
  return Object.fromEntries(fields.map((f) => [f, rows.map((r) => [String(r[xKey]).slice(0, 16), r[f]])]));
}

async function endpointPanels(latency, errors, windowMin) {
  try {
    const endpoints = await get("/v1/endpoints");
    const rows = [];
    for (const ep of endpoints) {
      for (const m of await get(`/v1/endpoints/${encodeURIComponent(ep.name)}/metrics?window_minutes=${windowMin}`)) rows.push(m);
    }
    clear(latency);
    clear(errors);
    if (!rows.length) {
      latency.append(h("p", { class: "muted" }, "No endpoints."));
      errors.append(h("p", { class: "muted" }, "No endpoints."));
      return;
    }
    const name = (m) => `${m.endpoint}/${m.deployment}`;
    if (rows.every((m) => !m.requests)) {
      for (const b of [latency, errors]) b.append(h("p", { class: "muted" }, "No scored requests in this window."));
    }
    latency.append(barChart("p95 latency per deployment (ms)", rows.map((m) => ({ label: name(m), value: m.p95_ms ?? 0 })), { unit: " ms" }),
      barChart("p50 latency per deployment (ms)", rows.map((m) => ({ label: name(m), value: m.p50_ms ?? 0, tone: "muted" })), { unit: " ms" }));
    errors.append(barChart("Error rate per deployment", rows.map((m) => ({ label: name(m), value: m.error_rate ?? 0, tone: m.error_rate > 0.05 ? "bad" : "ok" })), { max: Math.max(0.1, ...rows.map((m) => m.error_rate || 0)) }),
      barChart("Requests per deployment", rows.map((m) => ({ label: name(m), value: m.requests ?? 0, tone: "muted" }))));
  } catch (err) {
    for (const b of [latency, errors]) clear(b, h("p", { class: "error" }, errorText(err)));
  } finally {
    latency.setAttribute("aria-busy", "false");
    errors.setAttribute("aria-busy", "false");
  }
}

function evalScores(body, page) {
  const runs = (page.items || []).filter((r) => r.state === "succeeded");
  if (!runs.length) return body.append(h("p", { class: "muted" }, "No finished evaluation run yet."));
  const latest = runs[0];
  const variant = Object.keys(latest.summary || {})[0];
  const metrics = Object.entries(latest.summary?.[variant] || {}).filter(([, v]) => isNum(v));
  body.append(barChart(`Latest run ${latest.name || latest.id.slice(0, 8)} (${variant}, ${when(latest.created_at)})`, metrics.map(([k, v]) => ({ label: k, value: v })), { max: 1 }));
  const key = metrics[0]?.[0];
  if (key && runs.length > 1) {
    const series = { [key]: runs.slice(0, 20).reverse().map((r) => [r.created_at.slice(0, 16), Object.values(r.summary || {})[0]?.[key]]) };
    body.append(lineChart(`${key} across runs`, series));
  }
}

function onlineTrend(body, trend) {
  const series = Object.fromEntries(Object.entries(trend.series || {}).map(([m, pts]) => [m, pts.map((p) => [p.day, p.mean])]));
  if (Object.keys(series).length) body.append(lineChart("Online evaluation, daily mean", series));
}

function drift(body, data) {
  const items = data.items || data.features || data.drift || (Array.isArray(data) ? data : []);
  if (Array.isArray(items) && items.length) {
    body.append(barChart("Drift score per feature", items.map((d) => ({ label: d.feature || d.name || d.deployment, value: d.score ?? d.psi ?? d.distance ?? 0, tone: d.drifted ? "bad" : "ok" }))));
  }
  const line = seriesOf(data);
  if (line) body.append(lineChart("Drift over time", line));
  if (!body.childNodes.length) body.append(h("p", { class: "muted" }, data.message || "No drift measured yet."));
}

function alerts(body, data) {
  const items = data.items || (Array.isArray(data) ? data : []);
  if (!items.length) return body.append(h("p", {}, "No alerts."));
  body.append(h("table", { class: "data" },
    h("thead", {}, h("tr", {}, ["Severity", "Alert", "State", "Since"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, items.slice(0, 50).map((a) => h("tr", { class: `sev-${a.severity || ""}` }, h("td", {}, a.severity || ""), h("td", {}, a.title || a.name || a.message || a.rule || a.id),
      h("td", {}, a.state || a.status || ""), h("td", {}, when(a.created_at || a.since || a.fired_at)))))));
}

export async function render(main) {
  main.append(template("tpl-dashboards"));
  const grid = $("#panels", main);
  const windowSel = $("#d-window", main);

  function load() {
    clear(grid);
    const minutes = Number(windowSel.value);
    const since = `window_minutes=${minutes}`;
    fill(panel(grid, "p-summary", "Summary"), `/v1/dashboards/summary?${since}`, (b, d) => b.append(cards(d) || h("pre", {}, JSON.stringify(d, null, 2).slice(0, 2000))));
    fill(panel(grid, "p-usage", "Usage and cost"), `/v1/usage?${since}`, (b, d) => {
      const c = cards(d);
      const cost = seriesOf(d, /cost/);
      const tokens = seriesOf(d, /token|calls|runs/);
      b.append(c || "", cost ? lineChart("Cost", cost, { unit: " USD" }) : "", tokens ? lineChart("Tokens and calls", tokens) : "");
    });
    endpointPanels(panel(grid, "p-latency", "Latency"), panel(grid, "p-errors", "Errors and traffic"), minutes);
    fill(panel(grid, "p-evals", "Evaluation scores"), "/v1/evals/runs?limit=50", evalScores);
    fill(panel(grid, "p-online", "Online evaluation"), `/v1/evals/online?days=${Math.max(1, Math.round(minutes / 1440))}`, onlineTrend);
    fill(panel(grid, "p-drift", "Drift"), `/v1/monitoring/drift?${since}`, drift);
    fill(panel(grid, "p-alerts", "Alerts"), "/v1/alerts", alerts);
  }
  windowSel.addEventListener("change", load);
  $("#d-refresh", main).addEventListener("click", load);
  load();
}
