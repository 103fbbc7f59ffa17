// The unmatched queue (finance.read; deciding takes finance.manage): bank lines matching could not apply, unmatched
// or with suggestions, each suggestion with its score and reasons. A decision is one POST: confirm a suggestion,
// split the line across invoices (amounts typed in dollars and cents, parsed as text into minor units, never through
// a float; they must add up to the line), hold it as a customer's credit, or ignore it with a note.

import { get, post } from "../../../shared/js/api.js";
import { formatDate, humanize, parseAmount } from "../../../shared/js/money.js";
import { $, announce, definitionList, h, moreButton, section, showAlert, showApiError } from "../../../shared/js/ui.js";
import { closeWith, openDialog } from "../dialogs.js";
import { FINANCE, amount, canManage, noteDialog, params, startFinancePage, withButton } from "../finance.js";
import { COPY } from "../copy.js";

const C = COPY.bankLines;

await startFinancePage(C.title);
const form = $("#lines-filter");
const wanted = params().get("status");
if (wanted && [...$("#status").options].some((o) => o.value === wanted)) $("#status").value = wanted;
const TARGETS = C.targets;
const suggestionsOf = (line) => line.suggestions || [];
// A line in a URL is its line_id (its key in base32: a key may hold any character the bank put in its reference)
const linePath = (line) => `${FINANCE}/bank-lines/${encodeURIComponent(line.line_id)}`;

function describe(candidate, currency) {
  const parts = [TARGETS[candidate.target] || humanize(candidate.target)];
  if (candidate.customer_id) parts.push(C.customer(candidate.customer_id));
  for (const a of candidate.allocations || []) parts.push(C.invoice(a.invoice_number || a.invoice_id, amount(a.amount, currency)));
  for (const d of candidate.deposit_ids || []) parts.push(C.deposit(d));
  if (candidate.payment_id) parts.push(C.payment(candidate.payment_id));
  return parts.join(", ");
}

function suggestionList(line) {
  const suggestions = suggestionsOf(line);
  if (!suggestions.length) return h("p", { class: "empty-state" }, C.noSuggestion);
  return h(
    "ol",
    { class: "usa-list" },
    suggestions.map((c) =>
      h(
        "li",
        { class: "margin-bottom-1" },
        h("strong", {}, C.score(c.score)),
        describe(c, line.currency),
        h("br"),
        h("span", { class: "usa-hint" }, (c.reasons || []).join("; ")),
        canManage()
          ? h(
              "div",
              {},
              h(
                "button",
                { type: "button", class: "usa-button usa-button--outline margin-top-1", onclick: (event) => decide(line, { action: "confirm", candidate: c.n }, event.currentTarget) },
                C.confirm(c.n),
                h("span", { class: "usa-sr-only" }, C.forLine(line.line_key)),
              ),
            )
          : null,
      ),
    ),
  );
}

function actions(line) {
  if (!canManage()) return null;
  const button = (text, onclick) =>
    h("button", { type: "button", class: "usa-button usa-button--outline", onclick }, text, h("span", { class: "usa-sr-only" }, C.line(line.line_key)));
  return h(
    "div",
    { class: "button-row" },
    button(C.split, (event) => split(line, event.currentTarget)),
    button(C.holdAsCredit, (event) => credit(line, event.currentTarget)),
    button(C.ignore, (event) => ignore(line, event.currentTarget)),
  );
}

function lineCard(line) {
  const title = C.lineTitle(amount(line.amount, line.currency), line.payer_name || C.unnamedPayer, formatDate(line.booking_date));
  return h(
    "article",
    { class: "bank-line action-panel", id: `line-${line.line_id}`, "aria-labelledby": `line-${line.line_id}-title` },
    h("h3", { id: `line-${line.line_id}-title` }, title),
    definitionList([
      [C.facts.kind, humanize(line.kind)],
      [C.facts.remittance, line.remittance || ""],
      [C.facts.references, (line.references || []).join(", ")],
      [C.facts.account, line.account_id || ""],
      [C.facts.line, h("code", { class: "secret-id" }, line.line_key)],
    ]),
    h("h4", {}, C.suggestions),
    suggestionList(line),
    actions(line),
  );
}

let rows = [];
const more = moreButton(C.more, (cursor) => load(cursor));
async function load(cursor = null) {
  const status = $("#status").value;
  const page = await get(`${FINANCE}/bank-lines`, { query: { status, cursor, limit: 25 } });
  rows = cursor ? rows.concat(page.lines) : page.lines;
  more.update(page.next_cursor);
  const empty = h("p", { class: "empty-state" }, status === "unmatched" ? C.noUnmatched : C.noSuggested);
  $("#lines").replaceChildren(...(rows.length ? rows.map(lineCard) : [empty]), more.element);
}

async function show() {
  history.replaceState(null, "", `?${new URLSearchParams({ status: $("#status").value })}`);
  await section($("#lines"), C.lines, () => load());
}

async function decide(line, body, button) {
  const result = $("#line-result");
  const done = await withButton(
    button,
    C.sending,
    () => post(`${linePath(line)}/decision`, body),
    (error) => showApiError(error, { container: result, what: C.theDecision }),
  );
  if (!done) return;
  await show();
  const text = C.decided(amount(line.amount, line.currency), line.payer_name || C.unnamedPayer, humanize(body.action));
  showAlert(result, { type: "success", slim: true, text, focus: true });
  announce(text);
}

// --- dialogs ----------------------------------------------------------------------------------------------------

function field(id, label, hint = "") {
  return h(
    "div",
    { class: "usa-form-group" },
    h("label", { class: "usa-label", for: id }, label),
    hint ? h("span", { class: "usa-hint", id: `${id}-hint` }, hint) : null,
    h("input", { class: "usa-input", id, type: "text", autocomplete: "off", spellcheck: "false", "aria-describedby": hint ? `${id}-hint` : null }),
  );
}

/** A dialog with fields; `read()` answers the body to send or an error text (shown in the dialog, which stays). */
async function formDialog({ id, heading, intro, fields, confirm, read, extra = null }) {
  const problem = h("div", { id: `${id}-problem`, role: "alert" });
  let body = null;
  const send = (event) => {
    const outcome = read();
    if (typeof outcome === "string") {
      problem.replaceChildren(h("p", { class: "usa-error-message" }, outcome));
      return;
    }
    body = outcome;
    event.currentTarget.closest("dialog").close("confirm");
  };
  await openDialog({
    labelledBy: `${id}-heading`,
    describedBy: `${id}-intro`,
    content: [
      h("h2", { class: "usa-modal__heading", id: `${id}-heading` }, heading),
      h("p", { id: `${id}-intro` }, intro),
      problem,
      fields,
      extra,
      h(
        "div",
        { class: "usa-modal__footer button-row" },
        h("button", { type: "button", class: "usa-button", onclick: send }, confirm),
        h("button", { type: "button", class: "usa-button usa-button--outline", onclick: closeWith("cancel") }, C.cancel),
      ),
    ],
    onOpen: (dialog) => dialog.querySelector("input")?.focus(),
  });
  return body;
}

const customerPattern = /^CUS-[0-9A-Z]{4,20}$/;

async function split(line, button) {
  const rowsBox = h("div", {});
  let count = 0;
  const addRow = () => {
    count += 1;
    rowsBox.append(
      h(
        "fieldset",
        { class: "usa-fieldset split-row" },
        h("legend", { class: "usa-legend" }, C.part(count)),
        field(`split-${count}-customer`, C.customerId, C.customerHint),
        field(`split-${count}-invoice`, C.invoiceId),
        field(`split-${count}-amount`, C.amount, C.amountHint),
      ),
    );
  };
  addRow();
  addRow();
  const read = () => {
    const allocations = [];
    for (const row of rowsBox.querySelectorAll(".split-row")) {
      const [customer, invoice, sum] = [...row.querySelectorAll("input")].map((i) => i.value.trim());
      if (!customer && !invoice && !sum) continue;
      if (!customerPattern.test(customer.toUpperCase())) return C.enterCustomer;
      if (!invoice) return C.enterInvoice;
      const minor = parseAmount(sum, line.currency);
      if (!minor) return C.enterAmount;
      allocations.push({ customer_id: customer.toUpperCase(), invoice_id: invoice, amount: minor });
    }
    if (!allocations.length) return C.enterPart;
    const total = allocations.reduce((sum, a) => sum + a.amount, 0);
    if (total !== line.amount) return C.notAddingUp(amount(total, line.currency), amount(line.amount, line.currency));
    return { action: "split", allocations };
  };
  const body = await formDialog({
    id: "split",
    heading: C.splitHeading,
    intro: C.splitIntro(amount(line.amount, line.currency), line.payer_name || C.unnamedPayer),
    fields: rowsBox,
    extra: h("button", { type: "button", class: "usa-button usa-button--unstyled", onclick: addRow }, C.addPart),
    confirm: C.applySplit,
    read,
  });
  if (!body) return button.focus();
  await decide(line, body, button);
}

async function credit(line, button) {
  const body = await formDialog({
    id: "credit",
    heading: C.creditHeading,
    intro: C.creditIntro(amount(line.amount, line.currency)),
    fields: field("credit-customer", C.customerId, C.customerHint),
    confirm: C.holdAsCredit,
    read: () => {
      const customer = $("#credit-customer").value.trim().toUpperCase();
      return customerPattern.test(customer) ? { action: "credit", customer_id: customer } : C.enterTheCustomer;
    },
  });
  if (!body) return button.focus();
  await decide(line, body, button);
}

async function ignore(line, button) {
  const note = await noteDialog({
    id: "ignore",
    heading: C.ignoreHeading,
    intro: C.ignoreIntro(amount(line.amount, line.currency), line.payer_name || C.unnamedPayer),
    label: C.ignoreLabel,
    hint: C.ignoreHint,
    confirm: C.ignoreConfirm,
    min: 3,
  });
  if (note === null) return button.focus();
  await decide(line, { action: "ignore", note }, button);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  await show();
});

await show();
