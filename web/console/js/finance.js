// What the finance pages share: their own navigation between them, money in a record's currency,
// date filters kept in the address (so a link or a reload shows the same list), a paged table that can be reloaded
// after a change, and a dialog that asks for a note (a resolution, a correction's reason).

import { get, request, saveLink } from "../../shared/js/api.js";
import { addDays, formatMoney, today } from "../../shared/js/money.js";
import { $, busy, h, moreButton, section, showAlert, showApiError, table } from "../../shared/js/ui.js";
import { COPY } from "./copy.js";
import { openDialog } from "./dialogs.js";
import { allowed, startPage } from "./layout.js";

export const FINANCE = "/v1/staff/finance";

const PAGES = [
  ["finance-payouts.html", COPY.financePages.nav.payouts],
  ["finance-deposits.html", COPY.financePages.nav.deposits],
  ["finance-journals.html", COPY.financePages.nav.journals],
  ["finance-close.html", COPY.financePages.nav.close],
  ["finance-reconciliation.html", COPY.financePages.nav.reconciliation],
  ["finance-bank-files.html", COPY.financePages.nav.bankFiles],
  ["finance-bank-lines.html", COPY.financePages.nav.bankLines],
];

/** startPage() plus the finance pages' own navigation (filled into <nav id="finance-nav">). */
export async function startFinancePage(title) {
  const cfg = await startPage({ title });
  const here = location.pathname.split("/").pop();
  $("#finance-nav")?.replaceChildren(
    h(
      "ul",
      { class: "finance-nav__list" },
      PAGES.map(([href, text]) =>
        h("li", {}, h("a", { class: "usa-link", href, "aria-current": href === here ? "page" : null }, text)),
      ),
    ),
  );
  return cfg;
}

/** May this person act (confirm, resolve, close, mark, correct)? For hiding buttons only: the API decides. */
export const canManage = () => allowed("finance.manage");

/** Minor units of a currency as money text ("$29.56"); an empty cell when there is no amount. */
export function amount(minor, currency) {
  return Number.isSafeInteger(minor) && currency ? formatMoney({ amount: minor, currency }) : "";
}

/** Who did it, as people say it: "staff:ana@agency.gov" -> "ana@agency.gov" (systems keep their name). */
export const who = (actor) => String(actor || "").replace(/^staff:/, "");

export const params = () => new URLSearchParams(location.search);

/**
 * A from/to date pair in a filter form: filled from the address, or the last `days` days up to today (the API's
 * UTC day, as the browser's clock sees it). Returns a function that reads the form into the address and a query.
 */
export function dateFilter(form, { days = 31, names = ["from", "to"] } = {}) {
  const query = params();
  const [from, to] = names.map((name) => form.querySelector(`[name="${name}"]`));
  to.value = query.get("to") || today();
  from.value = query.get("from") || addDays(to.value, -days);
  return () => {
    const values = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ""));
    const kept = new URLSearchParams(values);
    history.replaceState(null, "", `?${kept}`);
    return values;
  };
}

/** A from/to pair the wrong way round, as a form error ([] when fine). */
export function rangeErrors(values, fromId = "from", toId = "to") {
  const errors = [];
  if (!values.from) errors.push({ field: fromId, reason: COPY.financePages.firstDate });
  if (!values.to) errors.push({ field: toId, reason: COPY.financePages.lastDate });
  if (values.from && values.to && values.from > values.to) errors.push({ field: toId, reason: COPY.financePages.wrongWay });
  return errors;
}

/**
 * A list from one of the finance list routes, shown as a table with "Show more". reload() fetches it again from
 * the first page (after a change); the rows loaded so far are in rows(). onPage(rows) runs after each render.
 */
export function pagedTable(container, { path, key, query, what, caption, columns, empty, pageSize = 50, onPage = null }) {
  let rows = [];
  const more = moreButton(COPY.financePages.showMore(what.toLowerCase()), (cursor) => load(cursor));
  async function load(cursor = null) {
    const page = await get(path, { query: { ...query, cursor, limit: pageSize } });
    rows = cursor ? rows.concat(page[key]) : page[key];
    more.update(page.next_cursor);
    container.replaceChildren(table({ caption, rows, columns, empty }), more.element);
    onPage?.(rows, page.next_cursor);
    return page;
  }
  return {
    reload: () => section(container, what, () => load()),
    more: () => more.element.click(),
    rows: () => rows,
  };
}

/**
 * Ask for a note in a dialog: resolves to the text, or null when cancelled. The note is checked in the dialog
 * (at least `min` characters), which stays open with the reason until it is right.
 */
export async function noteDialog({ id, heading, intro, label, hint, confirm, min = 1, max = 500 }) {
  const input = h("textarea", {
    class: "usa-textarea",
    id: `${id}-note`,
    name: "note",
    rows: "3",
    maxlength: String(max),
    "aria-describedby": `${id}-hint`,
  });
  const group = h(
    "div",
    { class: "usa-form-group" },
    h("label", { class: "usa-label", for: `${id}-note` }, label),
    h("span", { class: "usa-hint", id: `${id}-hint` }, hint),
    input,
  );
  let text = null;
  const send = (event) => {
    const value = input.value.trim();
    group.querySelector(".usa-error-message")?.remove();
    if (value.length < min) {
      group.classList.add("usa-form-group--error");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `${id}-hint ${id}-error`);
      const reason = min > 1 ? COPY.financePages.atLeast(min) : COPY.financePages.writeNote;
      input.before(h("span", { class: "usa-error-message", id: `${id}-error`, role: "alert" }, reason));
      input.focus();
      return;
    }
    text = value;
    event.currentTarget.closest("dialog").close("confirm");
  };
  await openDialog({
    labelledBy: `${id}-heading`,
    describedBy: `${id}-intro`,
    content: [
      h("h2", { class: "usa-modal__heading", id: `${id}-heading` }, heading),
      h("p", { id: `${id}-intro` }, intro),
      group,
      h(
        "div",
        { class: "usa-modal__footer button-row" },
        h("button", { type: "button", class: "usa-button", onclick: send }, confirm),
        h("button", { type: "button", class: "usa-button usa-button--outline", onclick: (e) => e.currentTarget.closest("dialog").close("cancel") }, COPY.financePages.cancel),
      ),
    ],
    onOpen: () => input.focus(),
  });
  return text;
}

/** Run an action from a button: busy while it runs; resolves to what it returned (undefined when it threw). */
export async function withButton(button, label, action, onError) {
  const restore = busy(button, label);
  try {
    return await action();
  } catch (error) {
    onError(error);
    return undefined;
  } finally {
    if (button.isConnected) restore();
  }
}

/** Save a deposit's slip (a PDF the API answers itself, or a short-lived link to it). */
export async function downloadSlip(depositId, button, result) {
  await withButton(
    button,
    COPY.financePages.preparingSlip,
    async () => {
      const path = `${FINANCE}/deposits/${encodeURIComponent(depositId)}/slip`;
      const response = await request("GET", path, { raw: true, accept: "application/pdf, application/json" });
      if ((response.headers.get("Content-Type") || "").includes("json")) {
        const answer = await response.json();
        saveLink(answer.url || answer.download_url, `deposit-slip-${depositId}.pdf`);
      } else {
        const url = URL.createObjectURL(await response.blob());
        saveLink(url, `deposit-slip-${depositId}.pdf`);
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      }
      showAlert(result, { type: "success", slim: true, text: COPY.financePages.slipDownloaded(depositId) });
    },
    (error) => showApiError(error, { container: result, what: COPY.financePages.theSlip }),
  );
}
