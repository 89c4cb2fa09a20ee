// Inline SVG charts. Each chart is a <figure>: the SVG (role="img", titled and described) plus
// the same numbers as a table in a <details>, for screen readers and for copying.

import { h, num } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";
let seq = 0;

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function figure(title, svg, head, rows) {
  const table = h(
    "table",
    { class: "data" },
    h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, typeof c === "number" ? num(c, 3) : c))))),
  );
  return h("figure", { class: "chart" }, svg, h("figcaption", {}, title), h("details", {}, h("summary", {}, "Data"), table));
}

function frame(title, desc, width, height) {
  const id = `chart-${++seq}`;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`, class: "svg" });
  svg.append(s("title", { id: `${id}-t` }, title), s("desc", { id: `${id}-d` }, desc));
  return svg;
}

// Horizontal bars: [{label, value, tone?}]; tone picks a colour class (ok, warn, bad, muted).
export function barChart(title, data, { unit = "", max } = {}) {
  const width = 560;
  const bar = 22;
  const gap = 8;
  const labelW = 170;
  const height = Math.max(1, data.length) * (bar + gap) + gap;
  const top = max ?? Math.max(...data.map((d) => d.value || 0), 0);
  const desc = data.map((d) => `${d.label}: ${num(d.value, 3)}${unit}`).join("; ") || "no data";
  const svg = frame(title, desc, width, height);
  data.forEach((d, i) => {
    const y = gap + i * (bar + gap);
    const w = top > 0 ? ((d.value || 0) / top) * (width - labelW - 70) : 0;
    svg.append(
      s("text", { x: labelW - 6, y: y + bar * 0.7, "text-anchor": "end", class: "label" }, String(d.label).slice(0, 26)),
      s("rect", { x: labelW, y, width: Math.max(w, d.value ? 1 : 0), height: bar, rx: 3, class: `bar ${d.tone || ""}` }),
      s("text", { x: labelW + w + 6, y: y + bar * 0.7, class: "value" }, `${num(d.value, 3)}${unit}`),
    );
  });
  if (!data.length) svg.append(s("text", { x: 10, y: 20, class: "label" }, "no data"));
  return figure(title, svg, ["", title], data.map((d) => [d.label, d.value]));
}

// Lines over an ordinal x axis: series = {name: [[x, y], ...]}.
export function lineChart(title, series, { unit = "" } = {}) {
  const width = 560;
  const height = 220;
  const pad = { l: 44, r: 110, t: 12, b: 30 };
  const names = Object.keys(series);
  const xs = [...new Set(names.flatMap((n) => series[n].map((p) => p[0])))].sort();
  const ys = names.flatMap((n) => series[n].map((p) => p[1])).filter((v) => typeof v === "number");
  const lo = Math.min(0, ...ys);
  const hi = Math.max(...ys, lo + 1e-9);
  const px = (x) => pad.l + (xs.length > 1 ? (xs.indexOf(x) / (xs.length - 1)) * (width - pad.l - pad.r) : (width - pad.l - pad.r) / 2);
  const py = (y) => height - pad.b - ((y - lo) / (hi - lo)) * (height - pad.t - pad.b);
  const desc = names.map((n) => `${n}: ${series[n].map((p) => `${p[0]} ${num(p[1], 3)}${unit}`).join(", ")}`).join("; ");
  const svg = frame(title, desc || "no data", width, height);
  svg.append(
    s("line", { x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b, class: "axis" }),
    s("line", { x1: pad.l, y1: pad.t, x2: pad.l, y2: height - pad.b, class: "axis" }),
    s("text", { x: pad.l - 4, y: pad.t + 8, "text-anchor": "end", class: "tick" }, num(hi, 2)),
    s("text", { x: pad.l - 4, y: height - pad.b, "text-anchor": "end", class: "tick" }, num(lo, 2)),
  );
  if (xs.length) {
    svg.append(s("text", { x: pad.l, y: height - 8, class: "tick" }, String(xs[0]).slice(0, 16)));
    if (xs.length > 1) svg.append(s("text", { x: width - pad.r, y: height - 8, "text-anchor": "end", class: "tick" }, String(xs.at(-1)).slice(0, 16)));
  }
  names.forEach((n, i) => {
    const pts = series[n].filter((p) => typeof p[1] === "number");
    const cls = `series s${i % 6}`;
    if (pts.length > 1) svg.append(s("polyline", { points: pts.map((p) => `${px(p[0])},${py(p[1])}`).join(" "), class: cls }));
    for (const p of pts) svg.append(s("circle", { cx: px(p[0]), cy: py(p[1]), r: 3, class: cls }));
    svg.append(s("text", { x: width - pad.r + 8, y: pad.t + 12 + i * 16, class: `legend ${cls}` }, n.slice(0, 18)));
  });
  const rows = xs.map((x) => [x, ...names.map((n) => series[n].find((p) => p[0] === x)?.[1] ?? "")]);
  return figure(title, svg, ["", ...names], rows);
}
