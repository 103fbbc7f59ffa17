// "Pay by wire or bank transfer": the agency's accounts that take wires or ACH credits and the payer's own remittance
// reference, with a copy button. The reference is what lets the bank line match the payer's account on its own, so
// it is shown first and big. Shown on the pay page, an unpaid invoice and the statements; when the agency takes no
// wires or ACH credits (no such account in its config) the section stays hidden.

import { get } from "../../shared/js/api.js";
import { definitionList, h, showApiError } from "../../shared/js/ui.js";
import { COPY } from "./copy.js";

const RECEIVES = Object.entries(COPY.bankTransfer.receives);

function takes(account) {
  const text = RECEIVES.filter(([kind]) => account.receives.includes(kind)).map(([, words]) => words).join(COPY.bankTransfer.and);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function copy(text, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = COPY.bankTransfer.copied;
  } catch {
    status.textContent = COPY.bankTransfer.notCopied;
  }
}

function render(instructions) {
  const status = h("span", { class: "usa-hint margin-left-1", id: "reference-copy-status", role: "status" });
  const copyButton = h(
    "button",
    {
      type: "button",
      class: "usa-button usa-button--outline",
      id: "copy-reference",
      onclick: () => copy(instructions.remittance_reference, status),
    },
    COPY.bankTransfer.copy,
  );
  const several = instructions.accounts.length > 1;
  return [
    h("h2", { id: "bank-transfer-heading" }, COPY.bankTransfer.heading),
    h(
      "p",
      {},
      COPY.bankTransfer.intro,
    ),
    h(
      "div",
      { class: "figure" },
      h("h3", { class: "margin-0 font-body-sm" }, COPY.bankTransfer.yourReference),
      h("p", { class: "font-mono-lg text-bold margin-y-1", id: "remittance-reference" }, instructions.remittance_reference_display),
      h("div", { class: "button-row margin-top-0" }, copyButton, status),
    ),
    ...instructions.accounts.map((a) => [
      several ? h("h3", {}, a.account_name) : [],
      definitionList([
        [COPY.bankTransfer.bank, a.bank_name],
        [COPY.bankTransfer.routing, h("span", { class: "font-mono-sm" }, a.routing_number)],
        [COPY.bankTransfer.accountNumber, h("span", { class: "font-mono-sm" }, a.account_number)],
        [COPY.bankTransfer.accountName, instructions.beneficiary_name],
        [COPY.bankTransfer.account, a.account_name],
        [COPY.bankTransfer.takes, takes(a)],
      ]),
    ]),
    h(
      "p",
      { class: "usa-hint" },
      COPY.bankTransfer.when,
    ),
  ];
}

/**
 * Fill `container` (a hidden <section>) with the instructions, and show it; leave it hidden when the agency takes
 * no wires or ACH credits, or when this part of the service is not deployed.
 */
export async function showBankTransfer(container) {
  let instructions;
  try {
    instructions = await get("/v1/portal/payment-instructions");
  } catch (error) {
    if (error.notAvailable) return;
    container.hidden = false;
    showApiError(error, { container, what: COPY.bankTransfer.paying });
    return;
  }
  if (!instructions.accounts.length) return;
  container.setAttribute("aria-labelledby", "bank-transfer-heading");
  container.replaceChildren(...render(instructions).flat(Infinity));
  container.hidden = false;
}
