// Modal dialogs of the console: native <dialog> elements opened with showModal() and dressed as USWDS modals. The
// browser makes the rest of the page inert, keeps focus inside and closes them on Escape; a dialog leaves the page
// when it closes, so what it showed (a secret) is gone with it.

import { alertBox, definitionList, h } from "../../shared/js/ui.js";
import { COPY } from "./copy.js";

const C = COPY.dialogs;

/** Show a modal dialog; resolves with the value it was closed with ("" for Escape) once it has left the page. */
export function openDialog({ labelledBy, describedBy, content, onOpen = null }) {
  const dialog = h(
    "dialog",
    { class: "usa-modal console-dialog", "aria-labelledby": labelledBy, "aria-describedby": describedBy },
    h("div", { class: "usa-modal__content" }, h("div", { class: "usa-modal__main" }, content)),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        dialog.remove();
        resolve(dialog.returnValue);
      },
      { once: true },
    );
    dialog.showModal();
    onOpen?.(dialog);
  });
}

// Buttons close their dialog by script: the page frame cancels every form submission, method="dialog" included.
export const closeWith = (value) => (event) => event.currentTarget.closest("dialog").close(value);

async function copyToClipboard(input, status) {
  try {
    await navigator.clipboard.writeText(input.value);
    status.textContent = C.copied;
  } catch {
    input.focus();
    input.select();
    status.textContent = C.notCopied;
  }
}

/** A secret shown this once: a warning, facts about it, the value with a copy button, and "Done". */
export function showSecretOnce({ heading, label, secret, facts = [], warning }) {
  // A textarea, so the whole value is in view on a phone too (it wraps; an input would scroll part of it away).
  const value = h(
    "textarea",
    {
      class: "usa-textarea secret-value",
      id: "new-secret-value",
      rows: "2",
      readonly: true,
      autocomplete: "off",
      spellcheck: "false",
      "aria-describedby": "new-secret-warning",
    },
    secret,
  );
  const status = h("p", { class: "usa-hint", id: "new-secret-status", role: "status" });
  return openDialog({
    labelledBy: "new-secret-heading",
    describedBy: "new-secret-warning",
    content: [
      h("h2", { class: "usa-modal__heading", id: "new-secret-heading" }, heading),
      alertBox({ type: "warning", slim: true, children: [h("p", { class: "usa-alert__text", id: "new-secret-warning" }, warning)] }),
      facts.length ? definitionList(facts) : null,
      h("label", { class: "usa-label", for: "new-secret-value" }, label),
      value,
      status,
      h(
        "div",
        { class: "usa-modal__footer button-row" },
        h("button", { type: "button", class: "usa-button", autofocus: true, onclick: () => copyToClipboard(value, status) }, C.copy),
        h("button", { type: "button", class: "usa-button usa-button--outline", onclick: closeWith("done") }, C.done),
      ),
    ],
  });
}

/** Ask before a change: resolves true when confirmed. Focus starts on the choice that changes nothing. */
export async function confirmDialog({ id, heading, body, confirm, danger = false }) {
  const answer = await openDialog({
    labelledBy: `${id}-heading`,
    describedBy: `${id}-body`,
    content: [
      h("h2", { class: "usa-modal__heading", id: `${id}-heading` }, heading),
      h("div", { id: `${id}-body` }, body),
      h(
        "div",
        { class: "usa-modal__footer button-row" },
        h("button", { type: "button", class: `usa-button${danger ? " usa-button--secondary" : ""}`, onclick: closeWith("confirm") }, confirm),
        h("button", { type: "button", class: "usa-button usa-button--outline", autofocus: true, onclick: closeWith("cancel") }, C.cancel),
      ),
    ],
  });
  return answer === "confirm";
}
