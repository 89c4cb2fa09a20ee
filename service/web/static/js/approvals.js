// The approvals inbox: each proposal's plan, evidence and risk; approve or reject with a comment;
// then the execution (steps, attempts, reconciliation) and the canary rollout, polled while live.

import { get, post } from "./api.js";
import { $, announce, clear, errorText, h, jsonView, num, shortId, template, when } from "./dom.js";

const LIVE = new Set(["approved", "executing"]);
const ROLLOUT_LIVE = new Set(["running", "waiting_approval"]);
const POLL_MS = 1000;

export function title(a) {
  const p = a.params || {};
  const op = (a.operation || "").replace(/^ops-propose_/, "");
  switch (op) {
    case "deployment": return `Deploy ${p.model} v${p.version} to ${p.endpoint} at ${p.traffic_percent}%`;
    case "traffic": return `Change traffic on ${a.target}`;
    case "mirror": return `Mirror ${p.percent}% of ${a.target} to ${p.deployment}`;
    case "delete_deployment": return `Delete ${p.deployment} from ${a.target}`;
    case "rollback": return `Roll back ${a.target}`;
    case "training_job": return `Train ${p.model}${p.variant ? ` (${p.variant})` : ""}`;
    default: return `${a.operation} on ${a.target}`;
  }
}

const badge = (kind, value, text = value) => h("span", { class: `badge ${kind}-${value}` }, text);

function metricsTable(metrics) {
  const rows = Object.entries(metrics || {});
  if (!rows.length) return null;
  return h("table", { class: "data" },
    h("caption", {}, "Candidate against the live version"),
    h("thead", {}, h("tr", {}, ["Metric", "Baseline", "Candidate", "Change", "Not worse"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map(([m, v]) => h("tr", {}, h("th", { scope: "row" }, m), h("td", {}, num(v.baseline, 4)), h("td", {}, num(v.candidate, 4)),
      h("td", {}, num(v.delta, 4)), h("td", {}, v.not_worse === false ? "no" : "yes")))));
}

function liveTable(current) {
  const rows = Object.entries(current || {});
  if (!rows.length) return null;
  return h("table", { class: "data" },
    h("caption", {}, "Live deployments now"),
    h("thead", {}, h("tr", {}, ["Deployment", "Requests", "Error rate", "p50 ms", "p95 ms"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map(([name, m]) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, num(m.requests)), h("td", {}, num(m.error_rate, 3)),
      h("td", {}, num(m.p50_ms, 1)), h("td", {}, num(m.p95_ms, 1))))));
}

function evidence(ev = {}) {
  const { evaluation, current_metrics: current, shadow, lineage, proposer_note: note, ...rest } = ev;
  return h("section", { class: "evidence", "aria-labelledby": "ev-title" }, h("h3", { id: "ev-title" }, "Evidence"),
    evaluation?.verdict ? h("p", {}, h("strong", {}, "Verdict: "), evaluation.verdict) : null,
    metricsTable(evaluation?.metrics), liveTable(current),
    shadow ? h("details", { open: true }, h("summary", {}, "Shadow comparison"), jsonView(shadow)) : null,
    lineage ? h("details", {}, h("summary", {}, "Lineage"), jsonView(lineage)) : null,
    Object.keys(rest).length ? h("details", {}, h("summary", {}, "More evidence"), jsonView(rest)) : null,
    note ? h("details", {}, h("summary", {}, "Proposer's note"), h("pre", {}, note)) : null,
    !Object.keys(ev).length ? h("p", { class: "muted" }, "Being gathered: the evidence is computed from the endpoint's actual state.") : null);
}

function execution(a) {
  const x = a.execution || {};
  if (!x.started_at && !LIVE.has(a.state) && a.state !== "succeeded" && a.state !== "failed") return null;
  return h("section", { class: "execution", "aria-labelledby": "x-title" }, h("h3", { id: "x-title" }, "Execution"),
    h("p", {}, "State: ", badge("state", a.state), x.attempts ? ` · attempt ${x.attempts}` : "", x.reconciliations ? ` · reconciled ${x.reconciliations}×` : ""),
    (x.steps || []).length ? h("ol", { class: "exec-steps" }, x.steps.map((s) => h("li", {}, typeof s === "string" ? s : JSON.stringify(s)))) : h("p", { class: "muted" }, "No step yet."),
    x.error ? h("p", { class: "error" }, x.error) : null,
    x.finished_at ? h("p", { class: "muted" }, `Finished ${when(x.finished_at)}`) : null);
}

function rolloutView(r) {
  if (!r) return null;
  return h("section", { class: "rollout", "aria-labelledby": "r-title" }, h("h3", { id: "r-title" }, "Canary rollout"),
    h("p", {}, "State: ", badge("state", r.state), ` · promotion ${r.promote}`),
    h("ol", { class: "canary", "aria-label": "Canary steps" }, r.steps.map((pct, i) => {
      const status = i < r.step || (i === r.step && r.state === "succeeded") ? "done" : i === r.step ? "current" : "next";
      return h("li", { class: status, "aria-current": status === "current" ? "step" : null }, `${pct}%`, h("span", { class: "visually-hidden" }, ` (${status})`));
    })),
    ROLLOUT_LIVE.has(r.state) && r.gate?.last ? h("p", { class: "muted" }, `Gate at ${r.steps[r.step]}%: ${r.gate.last.verdict} — ${(r.gate.last.reasons || []).join("; ")}`) : null,
    (r.history || []).length
      ? h("details", {}, h("summary", {}, `Gate history (${r.history.length})`),
          h("ol", {}, r.history.map((e) => h("li", {}, `${e.step}%: ${e.verdict}${e.reasons?.length ? ` — ${e.reasons.join("; ")}` : ""} (${when(e.at)})`))))
      : null);
}

export async function render(main, route) {
  main.append(template("tpl-approvals"));
  const list = $("#approval-list", main);
  const detail = $("#approval-detail", main);
  const stateSel = $("#a-state", main);
  let selected = route.id;
  let timer = null;
  let listTimer = null;
  let lastState = null;
  const wanted = route.query.get("state");
  if (wanted) stateSel.value = wanted === "all" ? "" : wanted;

  async function loadList() {
    try {
      const q = stateSel.value ? `?state=${stateSel.value}` : "";
      const page = await get(`/v1/approvals${q}`);
      clear(list);
      for (const a of page.items) {
        list.append(h("li", {}, h("a", { href: `#/approvals/${a.id}?state=${stateSel.value || "all"}`, "aria-current": a.id === selected ? "true" : null },
          h("span", { class: "op" }, title(a)), h("span", { class: "small" }, badge("risk", a.risk), " ", badge("state", a.state), ` by ${a.requested_by} · ${when(a.created_at)}`))));
      }
      if (!page.items.length) list.append(h("li", { class: "muted" }, "Nothing here."));
    } catch (err) {
      clear(list, h("li", { class: "error" }, `Approvals: ${errorText(err)}`));
    }
  }

  async function loadDetail() {
    clearTimeout(timer);
    if (!selected) {
      clear(detail, h("p", { class: "muted" }, "Choose an approval to see its plan, evidence and risk."));
      return;
    }
    let a;
    let rollout = null;
    try {
      a = await get(`/v1/approvals/${selected}`);
      if (a.operation === "ops-propose_deployment" && ["executing", "succeeded"].includes(a.state)) {
        const ep = await get(`/v1/endpoints/${encodeURIComponent(a.target)}`).catch(() => null);
        rollout = ep?.rollouts?.find((r) => r.id === a.id) || null;
      }
    } catch (err) {
      clear(detail, h("p", { class: "error" }, `Could not load the approval: ${errorText(err)}`));
      return;
    }
    if (lastState && lastState !== a.state) announce(`Approval ${shortId(a.id)} is now ${a.state}`);
    lastState = a.state;
    const focused = document.activeElement?.id;
    const comment = $("#decision-comment", detail)?.value || "";
    clear(detail,
      h("h2", {}, title(a)),
      h("p", {}, badge("state", a.state), " ", badge("risk", a.risk, `${a.risk} risk`),
        ` · ${a.decisions.filter((d) => d.decision === "approve").length} of ${a.required_approvals} approvals · requested by ${a.requested_by} ${when(a.created_at)}`,
        a.expires_at && a.state === "pending" ? ` · expires ${when(a.expires_at)}` : ""),
      a.conversation_id ? h("p", {}, h("a", { href: `#/chat/${a.conversation_id}` }, "Open the proposing conversation")) : null,
      h("section", { "aria-labelledby": "plan-title" }, h("h3", { id: "plan-title" }, "Plan"), jsonView(a.params),
        a.expected_impact ? h("p", {}, h("strong", {}, "Expected impact: "), a.expected_impact) : null,
        a.rollback_plan ? h("p", {}, h("strong", {}, "Rollback plan: "), a.rollback_plan) : null),
      evidence(a.evidence),
      a.decisions.length ? h("section", {}, h("h3", {}, "Decisions"), h("ul", {}, a.decisions.map((d) => h("li", {}, `${d.user_id} ${d.decision}d ${when(d.at)}${d.comment ? `: “${d.comment}”` : ""}`)))) : null,
      a.state === "pending" ? decisionForm(a, comment) : null,
      execution(a),
      rolloutView(rollout),
    );
    if (focused && $(`#${focused}`, detail)) $(`#${focused}`, detail).focus();
    if (LIVE.has(a.state) || (rollout && ROLLOUT_LIVE.has(rollout.state))) timer = setTimeout(loadDetail, POLL_MS);
  }

  function decisionForm(a, comment) {
    const status = h("p", { class: "error", role: "alert" });
    const box = h("textarea", { id: "decision-comment", rows: 2, maxlength: 2000 });
    box.value = comment;
    const decide = (verb) => async () => {
      try {
        const after = await post(`/v1/approvals/${a.id}/${verb}`, { comment: box.value });
        announce(`${verb === "approve" ? "Approved" : "Rejected"}: the approval is ${after.state}`);
        box.value = "";
        await Promise.all([loadDetail(), loadList()]);
      } catch (err) {
        status.textContent = `Could not ${verb}: ${errorText(err)}`;
      }
    };
    return h("form", { class: "decide card", onsubmit: (e) => e.preventDefault() }, h("h3", {}, "Decide"),
      h("label", { for: "decision-comment" }, "Comment"), box,
      h("div", { class: "row" }, h("button", { type: "button", id: "approve", onclick: decide("approve") }, "Approve"),
        h("button", { type: "button", id: "reject", class: "danger", onclick: decide("reject") }, "Reject")),
      status);
  }

  stateSel.addEventListener("change", loadList);
  $("#a-refresh", main).addEventListener("click", () => Promise.all([loadList(), loadDetail()]));
  await Promise.all([loadList(), loadDetail()]);
  listTimer = setInterval(loadList, 5000);
  return () => {
    clearTimeout(timer);
    clearInterval(listTimer);
  };
}
