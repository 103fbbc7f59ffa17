// One webhook endpoint's delivery log and its replay controls (the webhooks page, pages/webhooks.js).
//
// The log is the API's attempt records, newest first: when, which event, which attempt, what came back and how fast,
// and the start of the answer's body. Replay is one event by its id, or every event of a time range: the range is
// counted first (a dry run), and only the count's own button sends them again.

import { post, get } from "../../shared/js/api.js";
import { formatDateTime } from "../../shared/js/money.js";
import { $, announce, busy, h, moreButton, showAlert, showApiError, showFormErrors, clearErrors, table } from "../../shared/js/ui.js";

export const BASE = "/v1/integrations/webhooks";
export const ACCESS = { auth: "access" }; // these routes take the staff member's access token (shared with systems)
const PAGE = 10;
const EXCERPT_CHARS = 160;

export const endpointPath = (endpoint) => `${BASE}/${encodeURIComponent(endpoint.id)}`;

function outcomeOf(attempt) {
  const code = attempt.status_code ?? "no answer";
  const tag = h("span", { class: `usa-tag ${attempt.delivered ? "tag--success" : "tag--error"}` }, attempt.delivered ? "Delivered" : "Failed");
  return [tag, ` ${code}`, attempt.error ? ` (${attempt.error})` : ""];
}

function excerptOf(attempt) {
  const text = attempt.response_excerpt || "";
  if (!text) return h("span", { class: "text-base" }, "Empty");
  return h("code", { class: "secret-id" }, text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text);
}

const COLUMNS = [
  { label: "Time", cell: (a) => formatDateTime(a.at) },
  { label: "Event", cell: (a) => h("code", { class: "secret-id attempt-event" }, a.event_id) },
  { label: "Attempt", cell: (a) => (a.round > 1 ? `${a.attempt} (replay ${a.round - 1})` : String(a.attempt)), numeric: true },
  { label: "Status", cell: outcomeOf },
  { label: "Latency", cell: (a) => `${a.latency_ms} ms`, numeric: true },
  { label: "Response", cell: excerptOf },
];

/** The endpoint's delivery log: {element, reload()}. */
export function deliveryLog(endpoint) {
  const body = h("div", { class: "delivery-log" });
  const rows = [];
  const more = moreButton("Show older attempts", (cursor) => load(cursor));
  async function load(cursor = null) {
    const page = await get(`${endpointPath(endpoint)}/attempts`, { ...ACCESS, query: { limit: PAGE, cursor } });
    if (!cursor) rows.length = 0;
    rows.push(...page.attempts);
    body.replaceChildren(
      table({ caption: `Delivery log of ${endpoint.description || endpoint.url}`, captionHidden: true, rows, columns: COLUMNS, empty: "No deliveries yet." }),
    );
    more.update(page.next_cursor);
  }
  async function reload() {
    body.replaceChildren(h("p", { class: "loading" }, "Loading the delivery log…"));
    try {
      await load();
    } catch (error) {
      showApiError(error, { container: body, what: "The delivery log" });
    }
  }
  const element = h("div", {}, h("h4", {}, "Delivery log"), body, more.element);
  return { element, reload };
}

const isoOf = (local) => (local ? new Date(local).toISOString() : "");
const filtersOf = (text) => text.split(/[\s,]+/).filter(Boolean);

/** The replay controls: one event, or a time range counted first. ``after`` runs once something was sent again. */
export function replayPanel(endpoint, after) {
  const id = `replay-${endpoint.id}`;
  const result = h("div", { id: `${id}-result` });

  const eventInput = h("input", { class: "usa-input", id: `${id}-event`, name: "event_id", type: "text", autocomplete: "off", spellcheck: "false" });
  const oneForm = h(
    "form",
    { class: "usa-form", novalidate: true, onsubmit: (event) => replayOne(event) },
    h("div", { class: "usa-form-group" }, h("label", { class: "usa-label", for: eventInput.id }, "Event id"), eventInput),
    h("button", { type: "submit", class: "usa-button usa-button--outline" }, "Replay this event"),
  );
  async function replayOne(event) {
    event.preventDefault();
    const eventId = eventInput.value.trim();
    if (!eventId) return showFormErrors(oneForm, [{ field: eventInput.id, reason: "Enter the id of the event to send again." }]);
    clearErrors(oneForm);
    const restore = busy(event.submitter || oneForm.querySelector("button"), "Sending…");
    try {
      const answer = await post(`${endpointPath(endpoint)}/replay`, { event_id: eventId }, ACCESS);
      showAlert(result, { type: "success", slim: true, text: `Event ${eventId} sent again (${answer.delivery?.status || "pending"}).`, focus: true });
      await after();
    } catch (error) {
      showApiError(error, { container: result, form: oneForm, fieldMap: { event_id: eventInput.id }, what: "The replay" });
    } finally {
      restore();
    }
  }

  const field = (name, label, type, hint) =>
    h(
      "div",
      { class: "usa-form-group" },
      h("label", { class: "usa-label", for: `${id}-${name}` }, label),
      hint ? h("span", { class: "usa-hint", id: `${id}-${name}-hint` }, hint) : null,
      h("input", { class: "usa-input", id: `${id}-${name}`, name, type, "aria-describedby": hint ? `${id}-${name}-hint` : null }),
    );
  const rangeForm = h(
    "form",
    { class: "usa-form", novalidate: true, onsubmit: (event) => count(event) },
    field("since", "From", "datetime-local"),
    field("until", "To", "datetime-local"),
    field("types", "Only these event types (optional)", "text", "Separated by spaces or commas; the endpoint's own filters apply anyway."),
    h("button", { type: "submit", class: "usa-button usa-button--outline" }, "Count the events"),
  );
  const rangeBody = () => {
    const since = isoOf($(`#${CSS.escape(id)}-since`, rangeForm).value);
    const until = isoOf($(`#${CSS.escape(id)}-until`, rangeForm).value);
    const types = filtersOf($(`#${CSS.escape(id)}-types`, rangeForm).value);
    return { since, until, ...(types.length ? { event_types: types } : {}) };
  };
  async function count(event) {
    event.preventDefault();
    const body = rangeBody();
    const missing = [["since", "Enter when the range starts."], ["until", "Enter when the range ends."]].filter(([name]) => !body[name]);
    if (missing.length) return showFormErrors(rangeForm, missing.map(([name, reason]) => ({ field: `${id}-${name}`, reason })));
    clearErrors(rangeForm);
    const restore = busy(event.submitter || rangeForm.querySelector("button"), "Counting…");
    try {
      const answer = await post(`${endpointPath(endpoint)}/replay`, { ...body, dry_run: true }, ACCESS);
      showCount(answer.count, body);
    } catch (error) {
      showApiError(error, { container: result, form: rangeForm, fieldMap: { since: `${id}-since`, until: `${id}-until`, event_types: `${id}-types` }, what: "The count" });
    } finally {
      restore();
    }
  }
  function showCount(found, body) {
    const events = `${found} event${found === 1 ? "" : "s"}`;
    if (!found) {
      showAlert(result, { type: "info", slim: true, text: "No event of that range went to this endpoint: nothing to send again.", focus: true });
      return;
    }
    const send = h("button", { type: "button", class: "usa-button margin-top-1", id: `${id}-confirm` }, `Replay ${events}`);
    const box = showAlert(result, {
      type: "warning",
      heading: `${events} would be sent again`,
      text: `From ${formatDateTime(body.since)} to ${formatDateTime(body.until)}. Each keeps its webhook-id, so the system can tell it has seen it.`,
      children: [send],
      focus: true,
    });
    send.addEventListener("click", async () => {
      const restore = busy(send, "Sending…");
      try {
        const answer = await post(`${endpointPath(endpoint)}/replay`, { ...body, dry_run: false }, ACCESS);
        showAlert(result, { type: "success", slim: true, text: `${answer.replayed} of ${answer.count} events sent again.`, focus: true });
        announce(`${answer.replayed} events sent again.`);
        await after();
      } catch (error) {
        restore();
        showApiError(error, { container: result, what: "The replay" });
      }
    });
    return box;
  }

  return h(
    "details",
    { class: "replay-panel margin-top-2" },
    h("summary", {}, "Replay events"),
    h("h4", {}, "One event"),
    oneForm,
    h("h4", {}, "Every event of a time range"),
    h("p", { class: "usa-hint" }, "The events are counted first; nothing is sent until you confirm the count."),
    rangeForm,
    result,
  );
}
