// Small DOM helpers. Text always goes in as text nodes: nothing from the API is parsed as HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// Empty ``el``, then append ``children`` (skipping null/false, flattening arrays).
export function clear(el, ...children) {
  while (el.firstChild) el.firstChild.remove();
  return append(el, children);
}

export function template(id) {
  return document.getElementById(id).content.cloneNode(true);
}

export const $ = (sel, root = document) => root.querySelector(sel);

// Screen-reader announcement (the polite live region of the shell).
export function announce(text) {
  const region = document.getElementById("announce");
  region.textContent = "";
  setTimeout(() => (region.textContent = text), 50);
}

export function when(value) {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleString();
}

export function num(value, digits = 2) {
  if (value === null || value === undefined || value === "") return "–";
  if (typeof value !== "number") return String(value);
  return Number.isInteger(value) ? value.toLocaleString() : value.toFixed(digits);
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : "";
}

// The placeholder of a panel whose API is not deployed on this server.
export function unavailable(what) {
  return h("p", { class: "notice unavailable" }, `${what}: not available on this server yet.`);
}

export function errorText(err) {
  if (err?.unavailable) return "not available on this server yet";
  if (err?.status === 403) return `not allowed for your role (${err.message})`;
  return err?.message || String(err);
}

// A JSON value as a readable definition list (nested objects collapse into <details>).
export function jsonView(value, depth = 0) {
  if (value === null || value === undefined) return h("span", { class: "muted" }, "–");
  if (typeof value !== "object") return h("span", {}, String(value));
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== "object" || v === null)) return h("span", {}, value.join(", ") || "–");
    return h("ol", { class: "json" }, value.map((v) => h("li", {}, jsonView(v, depth + 1))));
  }
  const dl = h("dl", { class: "json" });
  for (const [k, v] of Object.entries(value)) {
    const nested = v && typeof v === "object" && Object.keys(v).length > 0;
    const dd = nested && depth >= 1 ? h("details", {}, h("summary", {}, "show"), jsonView(v, depth + 1)) : jsonView(v, depth + 1);
    dl.append(h("dt", {}, k), h("dd", {}, dd));
  }
  return dl;
}
