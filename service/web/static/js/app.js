// The shell: hash routes (#/chat, #/triage, #/approvals, #/dashboards, #/documents/<id>), sign-in
// gate, navigation state and focus. Each page module exports render(main, params) and may return
// a cleanup function (stop polling, abort streams) called when the route changes.

import { auth, download, setUnauthorizedHandler } from "./api.js";
import { $, announce } from "./dom.js";
import { completeRedirect, identity, renderSignin } from "./signin.js";

const PAGES = {
  chat: () => import("./chat.js"),
  triage: () => import("./triage.js"),
  approvals: () => import("./approvals.js"),
  dashboards: () => import("./dashboards.js"),
  documents: () => import("./documents.js"),
};

const main = document.getElementById("main");
let cleanup = null;
let signinMessage = "";
let firstRender = true;
let generation = 0;

function parse() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [page, ...rest] = path.split("/").filter(Boolean);
  return { page: page || "chat", id: rest.join("/") || null, query: new URLSearchParams(query) };
}

function header(signedIn) {
  $("#nav").hidden = !signedIn;
  $("#signout").hidden = !signedIn;
  $("#who").textContent = signedIn ? identity() : "";
}

async function show() {
  const mine = ++generation;
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const view = document.createElement("div"); // each navigation renders into its own container
  main.replaceChildren(view);
  const where = parse();
  if (!auth.get()) {
    header(false);
    await renderSignin(view, { message: signinMessage, onDone: () => ((signinMessage = ""), route()) });
    $("#api-key", view)?.focus();
    return;
  }
  header(true);
  const load = PAGES[where.page] || PAGES.chat;
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.dataset.page === where.page) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const module = await load();
  if (mine !== generation) return; // another navigation started meanwhile
  const stop = (await module.render(view, where)) || null;
  if (mine !== generation) {
    stop?.();
    return;
  }
  cleanup = stop;
  const title = view.querySelector("h1");
  document.title = `${title ? title.textContent : "OpsCopilot"} · OpsCopilot`;
  // after a navigation, focus the new content unless the page chose a control (the chat's prompt)
  const chosen = main.contains(document.activeElement) && document.activeElement !== main;
  if (!firstRender && !chosen) main.focus({ preventScroll: true });
  firstRender = false;
}

function route() {
  return show().catch((err) => {
    console.error(err);
    main.append(Object.assign(document.createElement("p"), { className: "error", textContent: String(err.message || err) }));
  });
}

setUnauthorizedHandler((err) => {
  if (!auth.get()) return;
  auth.clear();
  signinMessage = `Your session ended (${err.message}). Sign in again.`;
  announce(signinMessage);
  route();
});

$("#signout").addEventListener("click", () => {
  auth.clear();
  announce("Signed out");
  route();
});

// The skip link moves focus without touching the hash (the hash is the route).
$(".skip").addEventListener("click", (e) => {
  e.preventDefault();
  main.focus();
});

// Links to the API (report exports in answers) need the Bearer token: fetch and download them.
document.addEventListener("click", (e) => {
  const a = e.target.closest("a[data-api]");
  if (!a) return;
  e.preventDefault();
  download(a.getAttribute("href")).catch((err) => announce(`Download failed: ${err.message}`));
});

window.addEventListener("hashchange", route);

completeRedirect()
  .then((back) => {
    if (back && location.hash !== back) location.hash = back;
    else route();
  })
  .catch((err) => {
    signinMessage = err.message;
    route();
  });
