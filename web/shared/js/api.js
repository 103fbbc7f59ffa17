// The one way pages talk to the v1 API: base URL from /config.json, the session's token, an Idempotency-Key on
// every call that changes something, and every failure turned into an ApiError a page can show as it is.

import { config } from "./config.js";
import { accessToken, appSettings, forget, idToken, refresh } from "./auth.js";
import { COPY } from "./shared-copy.js";

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class ApiError extends Error {
  constructor(status, code, message, details = null, headers = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = Number(headers?.get("Retry-After")) || 0;
  }

  /** The route is not deployed yet (or not in this stack): pages say "not available" instead of failing. */
  get notAvailable() {
    return this.code === "not_available";
  }

  /** {field, reason} pairs for a form's error summary. */
  get fieldErrors() {
    return Array.isArray(this.details) ? this.details.filter((d) => d && d.field && d.reason) : [];
  }
}

/** A fresh random key: one per change a person asks for, kept by the caller while it may be retried. */
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function queryString(query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query || {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null && item !== "") params.append(name, String(item));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function signInUrl() {
  const here = location.pathname.split("/").pop() + location.search;
  return `index.html?next=${encodeURIComponent(here)}`;
}

async function send(method, path, options, token) {
  const cfg = await config();
  const headers = { Accept: options.accept || "application/json", ...(options.headers || {}) };
  if (options.auth === "guest") Object.assign(headers, { Authorization: `Guest ${options.guestToken}` });
  else if (token) Object.assign(headers, { Authorization: `Bearer ${token}` });
  if (MUTATING.has(method)) headers["Idempotency-Key"] = options.idempotencyKey || newIdempotencyKey();
  let body;
  if (options.rawBody !== undefined) {
    // A file sent as it is (a bank file's bytes): the route reads the body itself
    headers["Content-Type"] = options.contentType || "application/octet-stream";
    body = options.rawBody;
  } else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  try {
    return await fetch(cfg.apiBase + path + queryString(options.query), { method, headers, body, credentials: "omit" });
  } catch {
    throw new ApiError(0, "network", COPY.api.unreachable);
  }
}

async function errorOf(response) {
  const text = await response.text();
  let data = null;
  try {
    data = JSON.parse(text);
  } catch {
    /* not JSON: a proxy's or gateway's own page */
  }
  const error = data?.error;
  const missingRoute =
    (response.status === 404 && /^no route/.test(error?.message || "")) ||
    response.status === 405 ||
    (response.status === 502 && error?.code === "handler_unavailable") ||
    (response.status === 403 && /^Missing Authentication Token$/.test(data?.message || "")); // API Gateway's own text: an unknown path
  if (missingRoute) {
    return new ApiError(response.status, "not_available", COPY.api.notAvailable, null, response.headers);
  }
  if (error) {
    return new ApiError(response.status, error.code, error.message, error.details, response.headers);
  }
  const message = response.status >= 500 ? COPY.api.serviceProblem : data?.message || COPY.api.failed(response.status);
  return new ApiError(response.status, `http_${response.status}`, message, null, response.headers);
}

/**
 * One API call; resolves to the parsed JSON (or the Response itself with {raw: true}).
 * options: query, body (JSON), rawBody + contentType (sent as they are), headers, idempotencyKey, auth ("user" |
 * "access" | "guest" | "none"), guestToken, raw, accept. "user" sends the session's ID token, "access" its access token (routes shared with connected systems).
 */
export async function request(method, path, options = {}) {
  const auth = options.auth || "user";
  const signedIn = auth === "user" || auth === "access";
  const kind = auth === "access" ? "accessToken" : "idToken";
  let token = null;
  if (signedIn) {
    token = await (auth === "access" ? accessToken() : idToken());
    if (!token) return redirectToSignIn(method, options, false);
  }
  let response = await send(method, path, { ...options, auth }, token);
  if (response.status === 401 && signedIn) {
    // The token may have been revoked or the clock skewed: one refresh, then the person signs in again.
    token = await refresh().then((s) => s[kind], () => null);
    if (!token) return redirectToSignIn(method, options, true);
    response = await send(method, path, { ...options, auth }, token);
    if (response.status === 401) return redirectToSignIn(method, options, true);
  }
  if (!response.ok) {
    const error = await errorOf(response);
    const target = appSettings().redirects[error.code];
    if (target && !location.pathname.endsWith(`/${target}`)) {
      location.assign(target);
      return new Promise(() => {}); // the page is going away
    }
    throw error;
  }
  if (options.raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

function redirectToSignIn(method, options, sent) {
  // A page whose change is out (a payment) learns, before it goes, whether this request left the browser: if not,
  // it can offer it again as it was after the person signs in; if so, it asks for the outcome with the same key.
  if (MUTATING.has(method)) {
    dispatchEvent(new CustomEvent("arportal:sign-in-needed", { detail: { key: options.idempotencyKey || null, sent } }));
  }
  forget();
  location.assign(signInUrl());
  return new Promise(() => {}); // never settles: the page is going away
}

export const get = (path, options) => request("GET", path, options);
export const post = (path, body, options = {}) => request("POST", path, { ...options, body });
export const patch = (path, body, options = {}) => request("PATCH", path, { ...options, body });
export const del = (path, options) => request("DELETE", path, options);

/** Save what a GET answers as a file (CSV exports need the Authorization header, so a plain link cannot). */
export async function download(path, query, fallbackName) {
  const response = await request("GET", path, { query, raw: true, accept: "text/csv, application/octet-stream" });
  const disposition = response.headers.get("Content-Disposition") || "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] || fallbackName;
  const url = URL.createObjectURL(await response.blob());
  saveLink(url, name);
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

/** Follow a short-lived download link (a presigned URL answered by the API after its own checks). */
export function saveLink(url, filename = "") {
  const link = document.createElement("a");
  link.href = url;
  if (filename) link.download = filename;
  link.rel = "noopener";
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}
