// Webhooks (administrators: integrations.manage): the endpoints the platform sends events to, each with its status
// (on, or off and why), its delivery log and its replay controls; add one, switch one on or off, send it a test
// event, rotate its signing secret, remove it.
//
// These routes are shared with connected systems (/v1/integrations/webhooks), whose authorizer takes access tokens
// only: every call here sends the staff member's access token ({auth: "access"}), never the ID token.
//
// A signing secret is answered twice in an endpoint's life, at its creation and at a rotation, and shown only then,
// in a dialog that leaves the page when it closes. The list is rebuilt after each change, so focus goes back to the
// control the person came from by its id.

import { del, get, patch, post } from "../../../shared/js/api.js";
import { formatDateTime } from "../../../shared/js/money.js";
import { $, announce, busy, capitalise, clearErrors, definitionList, h, section, showAlert, showApiError, showFormErrors } from "../../../shared/js/ui.js";
import { confirmDialog, showSecretOnce } from "../dialogs.js";
import { startPage } from "../layout.js";
import { ACCESS, BASE, deliveryLog, endpointPath, replayPanel } from "../webhook-log.js";

const DISABLED_BECAUSE = {
  by_admin: "switched off by an administrator",
  gone: "the endpoint answered 410 Gone",
  failing: "five days of failed deliveries without a success",
};
const FIELDS = { url: "webhook-url", event_types: "webhook-events", description: "webhook-description", rate_limit: "webhook-rate" };

await startPage({ title: "Webhooks" });
const list = $("#endpoints");
const form = $("#add-form");
const byId = (id) => document.getElementById(id);
const nameOf = (endpoint) => endpoint.description || endpoint.url;
const idsOf = (endpoint) => {
  const base = `endpoint-${endpoint.id}`; // whe_ and letters and digits: safe in an id as it is
  return { heading: base, result: `${base}-result`, toggle: `${base}-toggle`, test: `${base}-test`, rotate: `${base}-rotate`, remove: `${base}-remove` };
};

function statusOf(endpoint) {
  if (endpoint.enabled) return [h("span", { class: "usa-tag tag--success" }, "Enabled"), endpoint.failing_since ? ` Failing since ${formatDateTime(endpoint.failing_since)}: retrying.` : ""];
  const why = DISABLED_BECAUSE[endpoint.disabled_reason] || "switched off";
  return [h("span", { class: "usa-tag tag--error" }, "Disabled"), ` ${capitalise(why)} Deliveries are held and go out when it is switched on again.`];
}

/** busy() for an endpoint's buttons: only the visible text changes while it works, their hidden "of <name>" stays. */
function working(control, label) {
  const text = control.firstChild;
  const original = text.nodeValue;
  control.disabled = true;
  control.setAttribute("aria-disabled", "true");
  text.nodeValue = label;
  return () => {
    control.disabled = false;
    control.removeAttribute("aria-disabled");
    text.nodeValue = original;
  };
}

function button(id, text, label, onclick, style = "usa-button--outline") {
  return h("button", { type: "button", class: `usa-button ${style}`, id, onclick }, text, h("span", { class: "usa-sr-only" }, ` ${label}`));
}

function endpointSection(endpoint) {
  const ids = idsOf(endpoint);
  const log = deliveryLog(endpoint);
  const name = nameOf(endpoint);
  const element = h(
    "section",
    { class: "connected-system webhook-endpoint", "aria-labelledby": ids.heading },
    h("h3", { id: ids.heading }, name),
    h("p", { class: "endpoint-status" }, statusOf(endpoint)),
    definitionList([
      ["URL", h("code", { class: "secret-id" }, endpoint.url)],
      ["Endpoint id", h("code", {}, endpoint.id)],
      ["Event types", endpoint.event_types.map((t, i) => [i ? ", " : "", h("code", {}, t)])],
      ["Signatures", endpoint.ed25519 ? "HMAC (v1) and Ed25519 (v1a)" : "HMAC (v1)"],
      ["Rate limit", endpoint.rate_limit ? `${endpoint.rate_limit} deliveries a second` : "The default"],
    ]),
    h("div", { id: ids.result }),
    h(
      "div",
      { class: "button-row" },
      button(ids.toggle, endpoint.enabled ? "Switch off" : "Switch on", `endpoint ${name}`, (e) => toggle(endpoint, e.currentTarget)),
      button(ids.test, "Send a test event", `to ${name}`, (e) => sendTest(endpoint, e.currentTarget, log)),
      button(ids.rotate, "Rotate the secret", `of ${name}`, (e) => rotate(endpoint, e.currentTarget)),
      button(ids.remove, "Remove", `endpoint ${name}`, (e) => remove(endpoint, e.currentTarget), "usa-button--secondary"),
    ),
    log.element,
    replayPanel(endpoint, log.reload),
  );
  log.reload();
  return element;
}

async function load() {
  const { endpoints } = await get(BASE, ACCESS);
  list.replaceChildren(...(endpoints.length ? endpoints.map(endpointSection) : [h("p", { class: "empty-state" }, "No endpoints yet: add one above.")]));
}

/** Rebuild the list after a change; whether it could be (a failure is shown at the top, the old list stays). */
async function refresh() {
  try {
    await load();
    $("#page-alerts").replaceChildren();
    return true;
  } catch (error) {
    showApiError(error, { container: $("#page-alerts"), what: "The list of endpoints" });
    return false;
  }
}

function done(endpoint, text, focusId) {
  const result = byId(idsOf(endpoint).result);
  if (result) showAlert(result, { type: "success", slim: true, text });
  announce(text);
  byId(focusId)?.focus();
}

// --- adding one ---------------------------------------------------------------------------------------------------

function invalidEndpoint(error) {
  const details = error.details || {};
  const field = FIELDS[details.field];
  if (error.code !== "invalid_endpoint" || !field) return false;
  showFormErrors(form, [{ field, reason: capitalise(error.message) }], "The endpoint was not added");
  return true;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const url = $("#webhook-url").value.trim();
  const eventTypes = $("#webhook-events").value.split(/[\s,]+/).filter(Boolean);
  const missing = [];
  if (!url) missing.push({ field: FIELDS.url, reason: "Enter the URL deliveries go to." });
  if (!eventTypes.length) missing.push({ field: FIELDS.event_types, reason: "Enter at least one event type, or * for every one." });
  if (missing.length) return showFormErrors(form, missing);
  clearErrors(form);
  const rate = $("#webhook-rate").value.trim();
  const body = { url, event_types: eventTypes, description: $("#webhook-description").value.trim(), ed25519: $("#webhook-ed25519").checked };
  if (rate) body.rate_limit = Number(rate);
  const restore = busy($("#add-endpoint"), "Adding…");
  let created;
  try {
    created = await post(BASE, body, ACCESS);
  } catch (error) {
    restore();
    if (!invalidEndpoint(error)) showApiError(error, { container: $("#page-alerts"), form, fieldMap: FIELDS, what: "Adding the endpoint" });
    return;
  }
  restore();
  form.reset();
  const closed = showSecretOnce({
    heading: `Signing secret for ${nameOf(created)}`,
    label: "Signing secret",
    secret: created.secret,
    facts: [["Endpoint id", h("code", {}, created.id)], ["URL", h("code", { class: "secret-id" }, created.url)]],
    warning: "This is the only time this secret is shown: it cannot be shown again. Copy it now and give it to the system that receives the deliveries.",
  });
  await refresh(); // behind the dialog, so the list has the endpoint when it closes
  await closed;
  done(created, `Endpoint ${nameOf(created)} added. Send it a test event to check it receives deliveries.`, idsOf(created).test);
});
$("#add-endpoint").disabled = false;

// --- changing one -------------------------------------------------------------------------------------------------

async function toggle(endpoint, control) {
  const restore = working(control, endpoint.enabled ? "Switching off…" : "Switching on…");
  try {
    await patch(endpointPath(endpoint), { enabled: !endpoint.enabled }, ACCESS);
  } catch (error) {
    restore();
    showApiError(error, { container: byId(idsOf(endpoint).result), what: "Switching the endpoint" });
    return;
  }
  await refresh();
  done(endpoint, endpoint.enabled ? "Switched off: its deliveries are held until it is switched on." : "Switched on: held deliveries go out now.", idsOf(endpoint).toggle);
}

async function sendTest(endpoint, control, log) {
  const result = byId(idsOf(endpoint).result);
  const restore = working(control, "Sending…");
  try {
    const attempt = await post(`${endpointPath(endpoint)}/test`, undefined, ACCESS);
    const answer = attempt.status_code ? `HTTP ${attempt.status_code}` : attempt.error || "no answer";
    showAlert(result, {
      type: attempt.delivered ? "success" : "error",
      heading: attempt.delivered ? "Test event delivered" : "Test event not delivered",
      text: `The endpoint answered ${answer} in ${attempt.latency_ms} ms.`,
      focus: !attempt.delivered,
    });
    announce(attempt.delivered ? "Test event delivered." : "Test event not delivered.");
    await log.reload();
  } catch (error) {
    showApiError(error, { container: result, what: "The test event" });
  } finally {
    restore();
  }
}

async function rotate(endpoint, control) {
  const hours = h("input", { class: "usa-input usa-input--small", id: "rotate-overlap", type: "number", min: "0", max: "168", step: "1", value: "24", inputmode: "numeric" });
  const confirmed = await confirmDialog({
    id: "rotate",
    heading: "Rotate the signing secret?",
    body: [
      h("p", {}, `${nameOf(endpoint)} gets a new secret, shown once. Both secrets sign each delivery for the hours below, so the system can move to the new one without missing a delivery.`),
      h("label", { class: "usa-label", for: "rotate-overlap" }, "Hours the old secret keeps signing"),
      hours,
    ],
    confirm: "Rotate the secret",
  });
  if (!confirmed) return control.focus();
  const restore = working(control, "Rotating…");
  let rotated;
  try {
    rotated = await post(`${endpointPath(endpoint)}/rotate`, { overlap_hours: Number(hours.value || 24) }, ACCESS);
  } catch (error) {
    restore();
    showApiError(error, { container: byId(idsOf(endpoint).result), what: "Rotating the secret" });
    return;
  }
  restore();
  const until = formatDateTime(rotated.previous_valid_until);
  await showSecretOnce({
    heading: `New signing secret for ${nameOf(endpoint)}`,
    label: "Signing secret",
    secret: rotated.secret,
    facts: [["Old secret signs until", until]],
    warning: "This is the only time this secret is shown: it cannot be shown again. Copy it now and give it to the system.",
  });
  done(endpoint, `Secret rotated. The old one signs deliveries too until ${until}.`, idsOf(endpoint).rotate);
}

async function remove(endpoint, control) {
  const confirmed = await confirmDialog({
    id: "remove",
    heading: "Remove this endpoint?",
    body: [h("p", {}, `No more events go to ${endpoint.url}, its delivery log goes, and its secret stops working. This cannot be undone.`)],
    confirm: "Remove the endpoint",
    danger: true,
  });
  if (!confirmed) return control.focus();
  const restore = working(control, "Removing…");
  try {
    await del(endpointPath(endpoint), ACCESS);
  } catch (error) {
    restore();
    showApiError(error, { container: byId(idsOf(endpoint).result), what: "Removing the endpoint" });
    return;
  }
  await refresh();
  showAlert($("#page-alerts"), { type: "success", slim: true, text: `Endpoint ${nameOf(endpoint)} removed.`, focus: true });
}

await section(list, "Endpoints", load);
