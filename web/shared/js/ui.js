// Small DOM helpers shared by the pages: building elements safely (text, never HTML strings from data), USWDS
// alerts, form error summaries, tables that stack on a phone, status tags and "show more" paging.

import { COPY } from "./shared-copy.js";
import { formatMoney, humanize } from "./money.js";

/** h("a", {href: "x", class: "usa-link"}, "text", child) - attributes set as attributes, children as text/nodes. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false));
  return element;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Say something to screen readers without moving focus (the page's polite live region). */
export function announce(text) {
  const region = $("#page-status");
  if (region) {
    region.textContent = "";
    setTimeout(() => (region.textContent = text), 50); // a change, even when the text repeats
  }
}

/** A USWDS alert: type is info | success | warning | error. Errors are role=alert; focus moves to them. */
export function alertBox({ type = "info", heading = "", text = "", children = [], focus = false, slim = false }) {
  const box = h(
    "div",
    {
      class: `usa-alert usa-alert--${type}${slim ? " usa-alert--slim" : ""}`,
      role: type === "error" ? "alert" : "status",
      tabindex: focus ? "-1" : null,
    },
    h(
      "div",
      { class: "usa-alert__body" },
      heading ? h("h2", { class: "usa-alert__heading" }, heading) : null,
      text ? h("p", { class: "usa-alert__text" }, text) : null,
      ...children,
    ),
  );
  return box;
}

/** Replace what a container shows with one alert (focus moved to it when asked). */
export function showAlert(container, options) {
  const box = alertBox(options);
  container.replaceChildren(box);
  if (options.focus) box.focus();
  return box;
}

export function clearErrors(form) {
  form.querySelector(".form-error-summary")?.remove();
  for (const group of form.querySelectorAll(".usa-form-group--error")) group.classList.remove("usa-form-group--error");
  for (const message of form.querySelectorAll(".usa-error-message[data-generated]")) message.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.classList.remove("usa-input--error");
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.endsWith("-error"));
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }
}

/**
 * Show a form's errors the accessible way: each field marked invalid with its message, and one summary at the top
 * that lists them as links to the fields, with focus moved to it so a screen reader reads it at once.
 * errors: [{field: "<input id or name>", reason}], or [{reason}] for a message that belongs to no field.
 */
export function showFormErrors(form, errors, heading = COPY.ui.checkFields) {
  clearErrors(form);
  const items = [];
  for (const { field, reason } of errors) {
    const input = field ? form.querySelector(`#${CSS.escape(field)}`) || form.querySelector(`[name="${field}"]`) : null;
    if (input) {
      const id = `${input.id}-error`;
      // What the person reads as the field's name: its label, else its accessible name; never its id.
      const label = form.querySelector(`label[for="${input.id}"]`)?.textContent.trim() || input.getAttribute("aria-label") || (input.name ? humanize(input.name) : "");
      input.setAttribute("aria-invalid", "true");
      if (["INPUT", "SELECT", "TEXTAREA"].includes(input.tagName)) input.classList.add("usa-input--error");
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      input.setAttribute("aria-describedby", [...described, id].join(" "));
      const group = input.closest(".usa-form-group") || input.parentElement;
      group.classList.add("usa-form-group--error");
      const message = h("span", { class: "usa-error-message", id, dataset: { generated: "1" } }, reason);
      (input.closest("fieldset") === group ? group.querySelector("legend") : input).before(message);
      items.push(h("li", {}, h("a", { class: "usa-link", href: `#${input.id}` }, label ? `${label}: ${reason}` : reason)));
    } else {
      items.push(h("li", {}, reason));
    }
  }
  const summary = alertBox({
    type: "error",
    heading,
    children: [h("ul", { class: "usa-list usa-list--unstyled" }, items)],
    focus: true,
  });
  summary.classList.add("form-error-summary");
  form.prepend(summary);
  summary.focus();
  return summary;
}

/**
 * Show an API error where it belongs: field errors in the form's summary (API field paths like "body.amount" or
 * "query.from" mapped to input ids through fieldMap), "not available" as information, anything else as an alert.
 */
export function showApiError(error, { container, form = null, fieldMap = {}, what = COPY.ui.this } = {}) {
  if (error.notAvailable) {
    return showAlert(container, {
      type: "info",
      heading: COPY.ui.notAvailable,
      text: COPY.ui.notAvailableText(what),
      focus: true,
    });
  }
  const fields = error.fieldErrors || [];
  if (form && fields.length) {
    const mapped = fields.map(({ field, reason }) => {
      const path = String(field).replace(/^(body|query|path)\./, "");
      return { field: fieldMap[path] ?? fieldMap[field] ?? path, reason };
    });
    container?.replaceChildren();
    return showFormErrors(form, mapped, error.message ? capitalise(error.message) : undefined);
  }
  const help = error.retryAfter ? COPY.ui.tryAgainIn(error.retryAfter) : "";
  return showAlert(container, {
    type: "error",
    // A 403 is a permission the signed-in person lacks (a staff role, or self-approval): say so plainly.
    heading: error.status === 0 ? COPY.ui.connection : error.status === 403 ? COPY.ui.notAllowed : COPY.ui.wentWrong,
    // A 5xx is the service's own failure: its message is for the logs, not for the person.
    text: (error.status >= 500 ? COPY.ui.serviceFailed : capitalise(error.message || COPY.ui.requestFailed)) + help,
    focus: true,
  });
}

/** A message as a sentence: a capital first letter and one full stop. */
export function capitalise(text) {
  const t = String(text);
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? "" : ".");
}

/** Disable a button while its work runs, saying so; returns a function that restores it. */
export function busy(button, label) {
  const original = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-disabled", "true");
  if (label) button.textContent = label;
  return () => {
    button.disabled = false;
    button.removeAttribute("aria-disabled");
    button.textContent = original;
  };
}

/**
 * A USWDS table that stacks into labelled rows on a phone. columns: [{label, cell(row) -> text|Node, numeric, ids}]:
 * `ids` marks a column of long unbroken text (ids, email addresses) that may break anywhere, so it never widens the
 * table past its page.
 */
export function table({ caption, columns, rows, empty = COPY.ui.nothingToShow, captionHidden = false }) {
  if (!rows.length) return h("p", { class: "empty-state" }, empty);
  const head = h(
    "tr",
    {},
    columns.map((c) => h("th", { scope: "col", class: c.numeric ? "text-right" : null }, c.label)),
  );
  const body = rows.map((row) =>
    h(
      "tr",
      {},
      columns.map((c, index) => {
        const value = h("span", { class: "cell-value" }, c.cell(row)); // one box beside its label on a phone
        const attributes = { "data-label": c.label, class: c.numeric ? "text-right text-tabular" : c.ids ? "cell--ids" : null };
        return index === 0 && c.header !== false
          ? h("th", { ...attributes, scope: "row" }, value)
          : h("td", attributes, value);
      }),
    ),
  );
  return h(
    "div",
    { class: "usa-table-container--scrollable", tabindex: "0", role: "region", "aria-label": caption },
    h(
      "table",
      { class: "usa-table usa-table--borderless usa-table--stacked width-full" },
      h("caption", { class: captionHidden ? "usa-sr-only" : null }, caption),
      h("thead", {}, head),
      h("tbody", {}, body),
    ),
  );
}

const TAG_COLOURS = {
  overdue: "tag--error",
  failed: "tag--error",
  reversed: "tag--error",
  partially_paid: "tag--warning",
  pending: "tag--warning",
  authorized: "tag--warning",
  open: "tag--info",
  paid: "tag--success",
  posted: "tag--success",
  settled: "tag--success",
  active: "tag--success",
  refunded: "tag--neutral",
  voided: "tag--neutral",
  approved: "tag--success",
  rejected: "tag--error",
  executed: "tag--success",
  stale: "tag--warning",
  unavailable: "tag--error",
  running: "tag--warning",
  completed: "tag--success",
};

export function statusTag(status) {
  return h("span", { class: `usa-tag ${TAG_COLOURS[status] || "tag--neutral"}` }, humanize(status));
}

export const money = (m) => (m ? formatMoney(m) : "");

export function link(href, text, attributes = {}) {
  return h("a", { class: "usa-link", href, ...attributes }, text);
}

/** A "Show more" button under a list: calls load(cursor) and hides itself when there is nothing more. */
export function moreButton(label, load) {
  const button = h("button", { type: "button", class: "usa-button usa-button--outline margin-top-2" }, label);
  let cursor = null;
  button.addEventListener("click", async () => {
    const restore = busy(button, COPY.ui.loading);
    try {
      await load(cursor);
    } finally {
      restore();
    }
  });
  return {
    element: button,
    update(next) {
      cursor = next;
      button.hidden = !next;
    },
  };
}

export function definitionList(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
  );
}

/**
 * Check a form before sending it. rules: [[inputId, (value, input) => reason | null]]. Shows the summary and
 * returns false when something is wrong.
 */
export function validate(form, rules) {
  const errors = [];
  for (const [id, rule] of rules) {
    const input = form.querySelector(`#${CSS.escape(id)}`);
    const reason = rule(input ? input.value.trim() : "", input);
    if (reason) errors.push({ field: id, reason });
  }
  if (errors.length) showFormErrors(form, errors);
  else clearErrors(form);
  return errors.length === 0;
}

export const needed = (what) => (value) => (value ? null : COPY.ui.enter(what));
export const emailRule = (value) =>
  !value ? COPY.ui.enterEmail : /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value) ? null : COPY.ui.emailLike;

const BRANDS = COPY.ui.brands;
const METHODS = COPY.ui.methods;

/** "Visa ending 4242", "Bank account ending 6789", "Cash": how a payment was made, in words. */
export function methodLabel({ method, type, brand, last4 }) {
  const kind = method || type;
  const name = kind === "ach" ? METHODS.ach : BRANDS[brand] || METHODS[kind] || humanize(kind);
  return last4 ? COPY.ui.ending(name, last4) : name;
}

/** Load something for a section; a failure shows in the section instead of breaking the page. */
export async function section(container, what, load) {
  container.replaceChildren(h("p", { class: "loading" }, COPY.ui.loadingWhat(what.toLowerCase())));
  try {
    await load();
  } catch (error) {
    showApiError(error, { container, what });
  }
}
