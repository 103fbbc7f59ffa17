// One webhook endpoint's delivery log and its replay controls (the webhooks page, pages/webhooks.js).
//
// The log is the API's attempt records, newest first: when, which event, which attempt, what came back and how fast,
// and the start of the answer's body. Replay is one event by its id, or every event of a time range: the range is
// counted first (a dry run), and only the count's own button sends them again.

import { post, get } from "../../shared/js/api.js";
import { formatDateTime } from "../../shared/js/money.js";
import { $, announce, busy, h, moreButton, showAlert, showApiError, showFormErrors, clearErrors, table } from "../../shared/js/ui.js";
import { COPY } from "./copy.js";

const C = COPY.webhookLog;

export const BASE = "/v1/integrations/webhooks";
export const ACCESS = { auth: "access" }; // these routes take the staff member's access token (shared with systems)
const PAGE = 10;
const EXCERPT_CHARS = 160;

export const endpointPath = (endpoint) => `${BASE}/${encodeURIComponent(endpoint.id)}`;

function outcomeOf(attempt) {
  const code = attempt.status_code ?? C.noAnswer;
  const tag = h("span", { class: `usa-tag ${attempt.delivered ? "tag--success" : "tag--error"}` }, attempt.delivered ? C.delivered : C.failed);
  return [tag, C.code(code), attempt.error ? C.error(attempt.error) : ""];
}

function excerptOf(attempt) {
  const text = attempt.response_excerpt || "";
  if (!text) return h("span", { class: "text-base" }, C.empty);
  return h("code", { class: "secret-id" }, text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text);
}

const COLUMNS = [
  { label: C.columns.time, cell: (a) => formatDateTime(a.at) },
  { label: C.columns.event, cell: (a) => h("code", { class: "secret-id attempt-event" }, a.event_id) },
  { label: C.columns.attempt, cell: (a) => (a.round > 1 ? C.replayAttempt(a.attempt, a.round - 1) : String(a.attempt)), numeric: true },
  { label: C.columns.status, cell: outcomeOf },
  { label: C.columns.latency, cell: (a) => C.latency(a.latency_ms), numeric: true },
  { label: C.columns.response, cell: excerptOf },
];

/** The endpoint's delivery log: {element, reload()}. */
export function deliveryLog(endpoint) {
  const body = h("div", { class: "delivery-log" });
  const rows = [];
  const more = moreButton(C.older, (cursor) => load(cursor));
  async function load(cursor = null) {
    const page = await get(`${endpointPath(endpoint)}/attempts`, { ...ACCESS, query: { limit: PAGE, cursor } });
    if (!cursor) rows.length = 0;
    rows.push(...page.attempts);
    body.replaceChildren(
      table({ caption: C.caption(endpoint.description || endpoint.url), captionHidden: true, rows, columns: COLUMNS, empty: C.noDeliveries }),
    );
    more.update(page.next_cursor);
  }
  async function reload() {
    body.replaceChildren(h("p", { class: "loading" }, C.loading));
    try {
      await load();
    } catch (error) {
      showApiError(error, { container: body, what: C.theLog });
    }
  }
  const element = h("div", {}, h("h4", {}, C.log), body, more.element);
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
    h("div", { class: "usa-form-group" }, h("label", { class: "usa-label", for: eventInput.id }, C.eventId), eventInput),
    h("button", { type: "submit", class: "usa-button usa-button--outline" }, C.replayOne),
  );
  async function replayOne(event) {
    event.preventDefault();
    const eventId = eventInput.value.trim();
    if (!eventId) return showFormErrors(oneForm, [{ field: eventInput.id, reason: C.enterEvent }]);
    clearErrors(oneForm);
    const restore = busy(event.submitter || oneForm.querySelector("button"), C.sending);
    try {
      const answer = await post(`${endpointPath(endpoint)}/replay`, { event_id: eventId }, ACCESS);
      showAlert(result, { type: "success", slim: true, text: C.sentAgain(eventId, answer.delivery?.status || C.pending), focus: true });
      await after();
    } catch (error) {
      showApiError(error, { container: result, form: oneForm, fieldMap: { event_id: eventInput.id }, what: C.theReplay });
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
    field("since", C.from, "datetime-local"),
    field("until", C.to, "datetime-local"),
    field("types", C.types, "text", C.typesHint),
    h("button", { type: "submit", class: "usa-button usa-button--outline" }, C.count),
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
    const missing = [["since", C.enterSince], ["until", C.enterUntil]].filter(([name]) => !body[name]);
    if (missing.length) return showFormErrors(rangeForm, missing.map(([name, reason]) => ({ field: `${id}-${name}`, reason })));
    clearErrors(rangeForm);
    const restore = busy(event.submitter || rangeForm.querySelector("button"), C.counting);
    try {
      const answer = await post(`${endpointPath(endpoint)}/replay`, { ...body, dry_run: true }, ACCESS);
      showCount(answer.count, body);
    } catch (error) {
      showApiError(error, { container: result, form: rangeForm, fieldMap: { since: `${id}-since`, until: `${id}-until`, event_types: `${id}-types` }, what: C.theCount });
    } finally {
      restore();
    }
  }
  function showCount(found, body) {
    const events = C.events(found);
    if (!found) {
      showAlert(result, { type: "info", slim: true, text: C.nothingToSend, focus: true });
      return;
    }
    const send = h("button", { type: "button", class: "usa-button margin-top-1", id: `${id}-confirm` }, C.replay(events));
    const box = showAlert(result, {
      type: "warning",
      heading: C.wouldSend(events),
      text: C.range(formatDateTime(body.since), formatDateTime(body.until)),
      children: [send],
      focus: true,
    });
    send.addEventListener("click", async () => {
      const restore = busy(send, C.sending);
      try {
        const answer = await post(`${endpointPath(endpoint)}/replay`, { ...body, dry_run: false }, ACCESS);
        showAlert(result, { type: "success", slim: true, text: C.replayed(answer.replayed, answer.count), focus: true });
        announce(C.replayedAnnounce(answer.replayed));
        await after();
      } catch (error) {
        restore();
        showApiError(error, { container: result, what: C.theReplay });
      }
    });
    return box;
  }

  return h(
    "details",
    { class: "replay-panel margin-top-2" },
    h("summary", {}, C.replayEvents),
    h("h4", {}, C.oneEvent),
    oneForm,
    h("h4", {}, C.rangeHeading),
    h("p", { class: "usa-hint" }, C.rangeHint),
    rangeForm,
    result,
  );
}
