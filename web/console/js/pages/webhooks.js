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
import { COPY } from "../copy.js";

const C = COPY.webhooks;

const DISABLED_BECAUSE = C.disabledBecause;
const FIELDS = { url: "webhook-url", event_types: "webhook-events", description: "webhook-description", rate_limit: "webhook-rate" };

await startPage({ title: C.title });
const list = $("#endpoints");
const form = $("#add-form");
const byId = (id) => document.getElementById(id);
const nameOf = (endpoint) => endpoint.description || endpoint.url;
const idsOf = (endpoint) => {
  const base = `endpoint-${endpoint.id}`; // whe_ and letters and digits: safe in an id as it is
  return { heading: base, result: `${base}-result`, toggle: `${base}-toggle`, test: `${base}-test`, rotate: `${base}-rotate`, remove: `${base}-remove` };
};

function statusOf(endpoint) {
  if (endpoint.enabled) return [h("span", { class: "usa-tag tag--success" }, C.enabled), endpoint.failing_since ? C.failingSince(formatDateTime(endpoint.failing_since)) : ""];
  const why = DISABLED_BECAUSE[endpoint.disabled_reason] || C.switchedOffWhy;
  return [h("span", { class: "usa-tag tag--error" }, C.disabled), C.held(capitalise(why))];
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
  return h("button", { type: "button", class: `usa-button ${style}`, id, onclick }, text, h("span", { class: "usa-sr-only" }, C.hidden(label)));
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
      [C.url, h("code", { class: "secret-id" }, endpoint.url)],
      [C.endpointId, h("code", {}, endpoint.id)],
      [C.eventTypes, endpoint.event_types.map((t, i) => [i ? ", " : "", h("code", {}, t)])],
      [C.signatures, endpoint.ed25519 ? C.hmacAndEd25519 : C.hmac],
      [C.rateLimit, endpoint.rate_limit ? C.perSecond(endpoint.rate_limit) : C.theDefault],
    ]),
    h("div", { id: ids.result }),
    h(
      "div",
      { class: "button-row" },
      button(ids.toggle, endpoint.enabled ? C.switchOff : C.switchOn, C.ofEndpoint(name), (e) => toggle(endpoint, e.currentTarget)),
      button(ids.test, C.sendTest, C.to(name), (e) => sendTest(endpoint, e.currentTarget, log)),
      button(ids.rotate, C.rotate, C.of(name), (e) => rotate(endpoint, e.currentTarget)),
      button(ids.remove, C.remove, C.ofEndpoint(name), (e) => remove(endpoint, e.currentTarget), "usa-button--secondary"),
    ),
    log.element,
    replayPanel(endpoint, log.reload),
  );
  log.reload();
  return element;
}

async function load() {
  const { endpoints } = await get(BASE, ACCESS);
  list.replaceChildren(...(endpoints.length ? endpoints.map(endpointSection) : [h("p", { class: "empty-state" }, C.none)]));
}

/** Rebuild the list after a change; whether it could be (a failure is shown at the top, the old list stays). */
async function refresh() {
  try {
    await load();
    $("#page-alerts").replaceChildren();
    return true;
  } catch (error) {
    showApiError(error, { container: $("#page-alerts"), what: C.theList });
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
  showFormErrors(form, [{ field, reason: capitalise(error.message) }], C.notAdded);
  return true;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const url = $("#webhook-url").value.trim();
  const eventTypes = $("#webhook-events").value.split(/[\s,]+/).filter(Boolean);
  const missing = [];
  if (!url) missing.push({ field: FIELDS.url, reason: C.enterUrl });
  if (!eventTypes.length) missing.push({ field: FIELDS.event_types, reason: C.enterTypes });
  if (missing.length) return showFormErrors(form, missing);
  clearErrors(form);
  const rate = $("#webhook-rate").value.trim();
  const body = { url, event_types: eventTypes, description: $("#webhook-description").value.trim(), ed25519: $("#webhook-ed25519").checked };
  if (rate) body.rate_limit = Number(rate);
  const restore = busy($("#add-endpoint"), C.adding);
  let created;
  try {
    created = await post(BASE, body, ACCESS);
  } catch (error) {
    restore();
    if (!invalidEndpoint(error)) showApiError(error, { container: $("#page-alerts"), form, fieldMap: FIELDS, what: C.addingWhat });
    return;
  }
  restore();
  form.reset();
  const closed = showSecretOnce({
    heading: C.signingFor(nameOf(created)),
    label: C.signingSecret,
    secret: created.secret,
    facts: [[C.endpointId, h("code", {}, created.id)], [C.url, h("code", { class: "secret-id" }, created.url)]],
    warning: C.shownOnceReceiver,
  });
  await refresh(); // behind the dialog, so the list has the endpoint when it closes
  await closed;
  done(created, C.added(nameOf(created)), idsOf(created).test);
});
$("#add-endpoint").disabled = false;

// --- changing one -------------------------------------------------------------------------------------------------

async function toggle(endpoint, control) {
  const restore = working(control, endpoint.enabled ? C.switchingOff : C.switchingOn);
  try {
    await patch(endpointPath(endpoint), { enabled: !endpoint.enabled }, ACCESS);
  } catch (error) {
    restore();
    showApiError(error, { container: byId(idsOf(endpoint).result), what: C.switchingWhat });
    return;
  }
  await refresh();
  done(endpoint, endpoint.enabled ? C.switchedOff : C.switchedOn, idsOf(endpoint).toggle);
}

async function sendTest(endpoint, control, log) {
  const result = byId(idsOf(endpoint).result);
  const restore = working(control, C.sending);
  try {
    const attempt = await post(`${endpointPath(endpoint)}/test`, undefined, ACCESS);
    const answer = attempt.status_code ? C.http(attempt.status_code) : attempt.error || C.noAnswer;
    showAlert(result, {
      type: attempt.delivered ? "success" : "error",
      heading: attempt.delivered ? C.delivered : C.notDelivered,
      text: C.answered(answer, attempt.latency_ms),
      focus: !attempt.delivered,
    });
    announce(attempt.delivered ? C.deliveredAnnounce : C.notDeliveredAnnounce);
    await log.reload();
  } catch (error) {
    showApiError(error, { container: result, what: C.theTest });
  } finally {
    restore();
  }
}

async function rotate(endpoint, control) {
  const hours = h("input", { class: "usa-input usa-input--small", id: "rotate-overlap", type: "number", min: "0", max: "168", step: "1", value: "24", inputmode: "numeric" });
  const confirmed = await confirmDialog({
    id: "rotate",
    heading: C.rotateHeading,
    body: [
      h("p", {}, C.rotateText(nameOf(endpoint))),
      h("label", { class: "usa-label", for: "rotate-overlap" }, C.overlap),
      hours,
    ],
    confirm: C.rotate,
  });
  if (!confirmed) return control.focus();
  const restore = working(control, C.rotating);
  let rotated;
  try {
    rotated = await post(`${endpointPath(endpoint)}/rotate`, { overlap_hours: Number(hours.value || 24) }, ACCESS);
  } catch (error) {
    restore();
    showApiError(error, { container: byId(idsOf(endpoint).result), what: C.rotatingWhat });
    return;
  }
  restore();
  const until = formatDateTime(rotated.previous_valid_until);
  await showSecretOnce({
    heading: C.newSigning(nameOf(endpoint)),
    label: C.signingSecret,
    secret: rotated.secret,
    facts: [[C.oldSignsUntil, until]],
    warning: C.shownOnce,
  });
  done(endpoint, C.rotated(until), idsOf(endpoint).rotate);
}

async function remove(endpoint, control) {
  const confirmed = await confirmDialog({
    id: "remove",
    heading: C.removeHeading,
    body: [h("p", {}, C.removeText(endpoint.url))],
    confirm: C.removeConfirm,
    danger: true,
  });
  if (!confirmed) return control.focus();
  const restore = working(control, C.removing);
  try {
    await del(endpointPath(endpoint), ACCESS);
  } catch (error) {
    restore();
    showApiError(error, { container: byId(idsOf(endpoint).result), what: C.removingWhat });
    return;
  }
  await refresh();
  showAlert($("#page-alerts"), { type: "success", slim: true, text: C.removed(nameOf(endpoint)), focus: true });
}

await section(list, C.section, load);
