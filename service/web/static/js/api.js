// The authenticated API: the credential (API key or Entra ID token) lives in sessionStorage, so it
// is scoped to this tab and gone when the tab closes; every call sends it as a Bearer token.

const KEY = "opscopilot.credential";

export class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
  // FastAPI answers an unknown route with the bare "Not Found" detail (an unknown object says what
  // was not found) and a known path with another method with 405: the feature is not deployed.
  get unavailable() {
    return (this.status === 404 && this.message === "Not Found") || this.status === 405;
  }
}

export const auth = {
  get() {
    const raw = sessionStorage.getItem(KEY);
    return raw ? JSON.parse(raw) : null;
  },
  set(credential, method) {
    sessionStorage.setItem(KEY, JSON.stringify({ credential, method }));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
  header() {
    const c = auth.get();
    return c ? { Authorization: `Bearer ${c.credential}` } : {};
  },
};

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

async function failure(res) {
  let body = null;
  let detail = `${res.status} ${res.statusText}`;
  try {
    body = await res.json();
    detail = body.detail || body.title || detail;
  } catch {
    /* not JSON */
  }
  const err = new ApiError(res.status, typeof detail === "string" ? detail : JSON.stringify(detail), body);
  if (res.status === 401) onUnauthorized(err);
  return err;
}

export async function request(method, path, { body, headers = {}, raw = false, signal } = {}) {
  const init = { method, headers: { Accept: "application/json", ...auth.header(), ...headers }, signal };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const res = await fetch(path, init);
  if (!res.ok) throw await failure(res);
  if (raw) return res;
  if (res.status === 204) return null;
  const type = res.headers.get("content-type") || "";
  return type.includes("json") ? res.json() : res.text();
}

export const get = (path, opts) => request("GET", path, opts);
export const post = (path, body, opts = {}) => request("POST", path, { ...opts, body });

// Server-sent events from a fetch response (works for POST, unlike EventSource): yields each
// event's data parsed as JSON, as soon as its blank-line terminator arrives.
export async function* sseEvents(res) {
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, ""))
        .join("\n");
      if (data) yield JSON.parse(data);
    }
  }
}

export async function stream(method, path, body, signal) {
  const res = await request(method, path, { body, raw: true, signal, headers: { Accept: "text/event-stream" } });
  return sseEvents(res);
}

// Fetch an authenticated file (report export, ...) and hand it to the browser as a download: a
// plain link cannot carry the Bearer token, and opening it as a page would run it on our origin.
export async function download(path) {
  const res = await request("GET", path, { raw: true, headers: { Accept: "*/*" } });
  const blob = await res.blob();
  const disposition = res.headers.get("content-disposition") || "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] || path.split("/").filter(Boolean).pop();
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// Upload with progress events (fetch has no upload progress): resolves with the JSON answer.
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    for (const [k, v] of Object.entries(auth.header())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* empty */
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body);
      const err = new ApiError(xhr.status, body?.detail || `HTTP ${xhr.status}`, body);
      if (xhr.status === 401) onUnauthorized(err);
      reject(err);
    };
    xhr.onerror = () => reject(new ApiError(0, "network error"));
    xhr.send(form);
  });
}

// Which API paths this server has (from its public OpenAPI document), so pages can say "not
// available" before anyone tries; null when the document is not served (then errors tell).
let paths = null;
export async function hasRoute(path) {
  if (paths === null) {
    try {
      const res = await fetch("/openapi.json", { headers: { Accept: "application/json" } });
      paths = res.ok ? new Set(Object.keys((await res.json()).paths || {})) : new Set(["*"]);
    } catch {
      paths = new Set(["*"]);
    }
  }
  return paths.has("*") || paths.has(path);
}
