// Sign-in: an API key (embedded default), an Entra ID access token pasted in, or the Entra ID
// redirect (authorization code flow with PKCE, as MSAL.js does it; no client secret). Whatever the
// method, the result is a Bearer credential in sessionStorage (see api.js).

import { ApiError, auth } from "./api.js";
import { $, template } from "./dom.js";

const PKCE = "opscopilot.pkce";

export async function uiConfig() {
  const res = await fetch("/ui/config.json", { headers: { Accept: "application/json" } });
  return res.ok ? res.json() : { entra: { enabled: false } };
}

// Valid credential = anything but 401: a 403 still proves who you are (the role just differs).
// Checked with a bare fetch: a refused credential is a sign-in error, not an ended session.
async function check(credential, method) {
  const res = await fetch("/v1/conversations?limit=1", {
    headers: { Accept: "application/json", Authorization: `Bearer ${credential}` },
  });
  if (!res.ok && res.status !== 403) {
    const body = await res.json().catch(() => ({}));
    throw new ApiError(res.status, body.detail || `HTTP ${res.status}`, body);
  }
  auth.set(credential, method);
}

export function identity() {
  const c = auth.get();
  if (!c) return "";
  if (c.method === "entra") {
    try {
      const claims = JSON.parse(atob(c.credential.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
      return `${claims.name || claims.preferred_username || claims.upn || claims.oid || "Entra user"} (Entra ID)`;
    } catch {
      return "Entra ID token";
    }
  }
  return `API key ${c.credential.slice(0, 10)}…`;
}

const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function randomString(n = 48) {
  return b64url(crypto.getRandomValues(new Uint8Array(n)));
}

const redirectUri = () => `${location.origin}/`;

async function startRedirect(entra) {
  const verifier = randomString();
  const state = randomString(16);
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, back: location.hash || "#/chat" }));
  const q = new URLSearchParams({
    client_id: entra.client_id,
    response_type: "code",
    response_mode: "query",
    redirect_uri: redirectUri(),
    scope: entra.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  location.assign(`${entra.authority}/oauth2/v2.0/authorize?${q}`);
}

// Back from the authorize endpoint with ?code=&state= (or ?error=): swap the code for a token.
// Returns the hash to go to, or null when this page load is not a sign-in redirect.
export async function completeRedirect() {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return null;
  const saved = JSON.parse(sessionStorage.getItem(PKCE) || "null");
  sessionStorage.removeItem(PKCE);
  history.replaceState(null, "", "/" + (saved?.back || "#/chat"));
  if (params.has("error")) throw new Error(`Entra ID sign-in failed: ${params.get("error_description") || params.get("error")}`);
  if (!saved || saved.state !== params.get("state")) throw new Error("Entra ID sign-in failed: the state does not match; try again.");
  const { entra } = await uiConfig();
  const res = await fetch(`${entra.authority}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: entra.client_id,
      grant_type: "authorization_code",
      code: params.get("code"),
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier,
      scope: entra.scope,
    }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || !body.access_token) throw new Error(`Entra ID sign-in failed: ${body.error_description || body.error || res.status}`);
  await check(body.access_token, "entra");
  return saved.back;
}

export async function renderSignin(main, { onDone, message = "" }) {
  main.append(template("tpl-signin"));
  const error = $("#signin-error", main);
  error.textContent = message;
  const fail = (err) => {
    error.textContent = err.status === 401 ? `Sign-in refused: ${err.message}` : `Sign-in failed: ${err.message}`;
  };
  $("#key-form", main).addEventListener("submit", async (e) => {
    e.preventDefault();
    const key = $("#api-key", main).value.trim();
    try {
      await check(key, "api_key");
      onDone();
    } catch (err) {
      fail(err);
    }
  });
  const { entra } = await uiConfig();
  if (!entra.enabled) return;
  $("#entra", main).hidden = false;
  const button = $("#entra-redirect", main);
  button.hidden = !entra.redirect;
  button.addEventListener("click", () => startRedirect(entra).catch(fail));
  $("#token-form", main).addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await check($("#token", main).value.trim(), "entra");
      onDone();
    } catch (err) {
      fail(err);
    }
  });
}
