// A document, opened from a citation: its metadata and tables, the cited table highlighted and
// the cited cell (row, column, text) spelled out. #/documents/<id>?table=&row=&col=&text=&where=

import { get } from "./api.js";
import { errorText, h, num, when } from "./dom.js";

export async function render(main, route) {
  const q = route.query;
  const section = h("section", { "aria-labelledby": "doc-title" }, h("h1", { id: "doc-title" }, "Document"));
  main.append(section);
  let doc;
  try {
    doc = await get(`/v1/documents/${encodeURIComponent(route.id)}`);
  } catch (err) {
    section.append(h("p", { class: "error" }, `Could not open the document: ${errorText(err)}`));
    return;
  }
  section.querySelector("h1").textContent = doc.title || doc.name;
  section.append(
    h("dl", { class: "facts" },
      h("dt", {}, "File"), h("dd", {}, `${doc.name} (${doc.format}, ${num(doc.size)} bytes)`),
      h("dt", {}, "Company"), h("dd", {}, doc.company || "–"),
      h("dt", {}, "Periods"), h("dd", {}, (doc.periods || []).join(", ") || "–"),
      h("dt", {}, "Uploaded"), h("dd", {}, `${when(doc.created_at)} by ${doc.uploaded_by}`),
      h("dt", {}, "SHA-256"), h("dd", {}, h("code", {}, doc.sha256))),
  );
  const cited = q.has("table") ? Number(q.get("table")) : null;
  if (q.has("row") || q.has("col") || q.has("text")) {
    section.append(
      h("div", { class: "callout", id: "cited-cell", tabindex: "-1" },
        h("h2", {}, "Cited cell"),
        h("p", {}, [q.get("where"), cited !== null ? `table ${cited}` : "", q.get("row") && `row “${q.get("row")}”`, q.get("col") && `column “${q.get("col")}”`].filter(Boolean).join(", ")),
        q.has("text") ? h("p", { class: "cell-text" }, q.get("text")) : null),
    );
  }
  const rows = (doc.tables || []).map((t, i) => {
    const index = t.index ?? i;
    const isCited = index === cited;
    return h("tr", { class: isCited ? "cited" : null, "aria-current": isCited ? "true" : null },
      h("td", {}, String(index)), h("td", {}, t.anchor || ""), h("td", {}, t.caption || ""),
      h("td", {}, `${t.rows ?? "?"} × ${t.cols ?? "?"}`), h("td", {}, (t.periods || []).join(", ")),
      h("td", {}, [t.scale, t.currency].filter(Boolean).join(" ")));
  });
  section.append(
    h("h2", {}, "Tables"),
    rows.length
      ? h("table", { class: "data" },
          h("thead", {}, h("tr", {}, ["#", "Where", "Caption", "Size", "Periods", "Scale"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, rows))
      : h("p", { class: "muted" }, "No tables were extracted from this document."),
    h("p", {}, h("a", { href: "#/chat" }, "Back to the chat")),
  );
  (section.querySelector("#cited-cell") || section.querySelector("tr.cited"))?.scrollIntoView({ block: "center" });
}
