// A small Markdown renderer for answers: headings, paragraphs, lists, pipe tables, fenced code,
// bold, italics, inline code and links. It builds DOM nodes (never innerHTML), so an answer cannot
// inject markup. Links to /v1/... need the Bearer token: they are marked data-api for app.js.

import { h } from "./dom.js";

function safeHref(url) {
  if (/^#/.test(url) || /^\/(?!\/)/.test(url)) return url;
  if (/^https?:\/\//i.test(url)) return url;
  return null;
}

export function inline(text) {
  const out = [];
  const re = /(`[^`]+`)|\*\*([^*]+)\*\*|(?<![\w*])[*_]([^*_]+)[*_](?![\w*])|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1]) out.push(h("code", {}, m[1].slice(1, -1)));
    else if (m[2]) out.push(h("strong", {}, inline(m[2])));
    else if (m[3]) out.push(h("em", {}, inline(m[3])));
    else {
      const href = safeHref(m[5]);
      if (!href) out.push(m[4]);
      else if (href.startsWith("/v1/")) out.push(h("a", { href, "data-api": "download" }, m[4]));
      else if (/^https?:/i.test(href)) out.push(h("a", { href, rel: "noopener noreferrer", target: "_blank" }, m[4]));
      else out.push(h("a", { href }, m[4]));
    }
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const cells = (line) => line.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim());

function table(lines) {
  const head = cells(lines[0]);
  const rows = lines.slice(2).map(cells);
  return h(
    "table",
    { class: "data" },
    h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, inline(c))))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, inline(c)))))),
  );
}

export function render(markdown) {
  const root = h("div", { class: "md" });
  const lines = String(markdown ?? "").replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^```/.test(line)) {
      const body = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) body.push(lines[i]);
      i++;
      root.append(h("pre", {}, h("code", {}, body.join("\n"))));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      // answers sit under the page's h1/h2: their headings start at h3
      const level = Math.min(6, heading[1].length + 2);
      root.append(h(`h${level}`, {}, inline(heading[2])));
      i++;
      continue;
    }
    if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
      const block = [];
      while (i < lines.length && /^\s*\|/.test(lines[i])) block.push(lines[i++]);
      root.append(table(block));
      continue;
    }
    const bullet = /^\s*([-*]|\d+\.)\s+/;
    if (bullet.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const list = h(ordered ? "ol" : "ul");
      while (i < lines.length && bullet.test(lines[i])) list.append(h("li", {}, inline(lines[i++].replace(bullet, ""))));
      root.append(list);
      continue;
    }
    if (!line.trim()) {
      i++;
      continue;
    }
    const para = [];
    while (i < lines.length && lines[i].trim() && !/^(```|#{1,6}\s|\s*\||\s*([-*]|\d+\.)\s)/.test(lines[i])) para.push(lines[i++]);
    if (!para.length) para.push(lines[i++]);
    root.append(h("p", {}, inline(para.join(" "))));
  }
  return root;
}
