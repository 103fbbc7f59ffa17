// Contact details, notification preferences (PATCH /v1/portal/me: only what changed is sent), confirming a new
// email with its code, and saved payment methods (added through the processor's secure fields).

import { del, get, newIdempotencyKey, patch, post } from "../../../shared/js/api.js";
import { completeAction, mountFields } from "../../../shared/js/fields.js";
import { COPY } from "../copy.js";
import { section, startPage } from "../layout.js";
import { $, busy, h, methodLabel, showAlert, showApiError, table, validate } from "../../../shared/js/ui.js";

await startPage({ title: COPY.profile.title });
const form = $("#contact");
const PREFERENCES = ["email_receipts", "due_date_reminders", "overdue_notices", "sms"];
const ADDRESS = ["line1", "line2", "city", "region", "postal_code"];
const FIELDS = { "address.postal_code": "postal_code", "address.line1": "line1", "address.city": "city", "address.region": "region", "preferences.reminder_days_before": "reminder_days_before" };
let profile = null;

function fill(p) {
  profile = p;
  $("#who").textContent = COPY.profile.who(p.name, p.customer_id);
  $("#email").value = p.email || "";
  $("#phone").value = p.phone || "";
  for (const name of ADDRESS) $(`#${name}`).value = p.address?.[name] || "";
  for (const name of PREFERENCES) $(`#${name}`).checked = Boolean(p.preferences[name]);
  $("#reminder_days_before").value = p.preferences.reminder_days_before;
}

/** Only what the person changed: the API leaves out what is not named. */
function changes() {
  const body = {};
  const email = $("#email").value.trim().toLowerCase();
  if (email && email !== (profile.email || "")) body.email = email;
  const phone = $("#phone").value.trim();
  if (phone !== (profile.phone || "")) body.phone = phone || null;
  const address = Object.fromEntries(ADDRESS.map((name) => [name, $(`#${name}`).value.trim()]));
  const before = Object.fromEntries(ADDRESS.map((name) => [name, profile.address?.[name] || ""]));
  if (JSON.stringify(address) !== JSON.stringify(before)) {
    body.address = { ...address, line2: address.line2 || null, country: profile.address?.country || "US" };
  }
  const preferences = {};
  for (const name of PREFERENCES) if ($(`#${name}`).checked !== profile.preferences[name]) preferences[name] = $(`#${name}`).checked;
  const days = Number($("#reminder_days_before").value);
  if (days !== profile.preferences.reminder_days_before) preferences.reminder_days_before = days;
  if (Object.keys(preferences).length) body.preferences = preferences;
  return body;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const ok = validate(form, [
    ["email", (v) => (!v || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v) ? null : COPY.profile.emailLike)],
    ["reminder_days_before", (v) => (/^\d+$/.test(v) && Number(v) <= 30 ? null : COPY.profile.reminderDays)],
  ]);
  if (!ok) return;
  const body = changes();
  if (!Object.keys(body).length) {
    showAlert($("#page-alerts"), { type: "info", text: COPY.profile.nothingChanged, focus: true });
    return;
  }
  const restore = busy(form.querySelector("button[type=submit]"), COPY.profile.saving);
  try {
    const result = await patch("/v1/portal/me", body);
    fill(result.profile);
    const pending = result.email_change;
    showAlert($("#page-alerts"), {
      type: "success",
      heading: COPY.profile.saved,
      text: pending ? COPY.profile.codeSent(pending.pending_email) : "",
      focus: true,
    });
    $("#confirm-email").hidden = !pending;
  } catch (error) {
    showApiError(error, { container: $("#page-alerts"), form, fieldMap: FIELDS, what: COPY.profile.changing });
  } finally {
    restore();
  }
});

$("#confirm-email").addEventListener("submit", async (event) => {
  event.preventDefault();
  const confirmForm = event.currentTarget;
  if (!validate(confirmForm, [["code", (v) => (/^\d{6}$/.test(v) ? null : COPY.profile.sixDigits)]])) return;
  const restore = busy(confirmForm.querySelector("button"), COPY.profile.confirming);
  try {
    fill(await post("/v1/portal/me/email-confirmation", { code: $("#code").value.trim() }));
    confirmForm.hidden = true;
    showAlert($("#page-alerts"), { type: "success", text: COPY.profile.confirmed, focus: true });
  } catch (error) {
    showApiError(error, { container: $("#page-alerts"), form: confirmForm, fieldMap: { code: "code" }, what: COPY.profile.confirmingEmail });
  } finally {
    restore();
  }
});

// --- saved payment methods -------------------------------------------------------------------------------------

async function removeMethod(method, button) {
  const restore = busy(button, COPY.profile.removing);
  try {
    await del(`/v1/portal/payment-methods/${encodeURIComponent(method.payment_method_id)}`);
    showAlert($("#methods-status"), { type: "success", slim: true, text: COPY.profile.removed(methodLabel(method)) });
    await loadMethods();
  } catch (error) {
    restore();
    showApiError(error, { container: $("#methods-status"), what: COPY.profile.removingMethod });
  }
}

async function loadMethods() {
  await section($("#method-list"), COPY.profile.methods, async () => {
    const { items } = await get("/v1/portal/payment-methods", { query: { limit: 50 } });
    $("#method-list").replaceChildren(
      table({
        caption: COPY.profile.methods,
        captionHidden: true,
        rows: items,
        empty: COPY.profile.noMethods,
        columns: [
          { label: COPY.profile.method, cell: (m) => [methodLabel(m), m.is_default ? COPY.profile.isDefault : "", m.expired ? COPY.profile.expired : ""] },
          { label: COPY.profile.nickname, cell: (m) => m.nickname || "—" },
          {
            label: COPY.profile.remove,
            cell: (m) => {
              const button = h("button", { type: "button", class: "usa-button usa-button--unstyled", "aria-label": COPY.profile.removeMethod(methodLabel(m)) }, COPY.profile.remove);
              button.addEventListener("click", () => removeMethod(m, button));
              return button;
            },
          },
        ],
      }),
    );
  });
}

// The card's bank may ask the payer to confirm before the processor keeps the method (402 action_required):
// nothing is saved yet; once the bank's window closes, the same body and key are sent again and the server reads
// how it ended.
async function saveMethod(body) {
  const key = newIdempotencyKey();
  try {
    return await post("/v1/portal/payment-methods", body, { idempotencyKey: key });
  } catch (error) {
    if (error.code !== "action_required") throw error;
    await completeAction(error.details);
    return post("/v1/portal/payment-methods", body, { idempotencyKey: key });
  }
}

$("#add-method").addEventListener("submit", async (event) => {
  event.preventDefault();
  const addForm = event.currentTarget;
  const kind = addForm.elements.kind.value;
  const container = $("#method-fields");
  container.hidden = false;
  try {
    await mountFields(container, {
      kind,
      onToken: async (card) => {
        try {
          const saved = await saveMethod({
            type: card.method,
            token: card.token,
            last4: card.last4,
            brand: card.brand || null,
            nickname: $("#nickname").value.trim() || null,
            is_default: $("#is_default").checked,
          });
          container.hidden = true;
          container.replaceChildren();
          addForm.reset();
          showAlert($("#methods-status"), { type: "success", text: COPY.profile.methodSaved(methodLabel(saved)), focus: true });
          await loadMethods();
        } catch (error) {
          showApiError(error, { container: $("#methods-status"), what: COPY.profile.savingMethod });
        }
      },
    });
  } catch (error) {
    showApiError(error, { container, what: COPY.profile.savingMethod });
  }
});

// Bound: the processor's fields can open now. The HTML keeps the button disabled until here, so a press while the
// page's script is still on its way does nothing, rather than post the form to the static page.
$("#add-method button[type=submit]").disabled = false;

await section($("#who"), COPY.profile.yourProfile, async () => fill(await get("/v1/portal/me")));
await loadMethods();
