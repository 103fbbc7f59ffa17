// Staff (administrators): invite a person in a role, and see everyone with a login. The invitation is Cognito's: the
// staff pool emails a temporary password, and the person's first sign-in chooses a password and enrols an
// authenticator app. An email that already has a login is the API's 409, shown with its reason.

import { get, post } from "../../../shared/js/api.js";
import { formatDateTime } from "../../../shared/js/money.js";
import { $, busy, emailRule, h, section, showAlert, showApiError, table, validate } from "../../../shared/js/ui.js";
import { startPage } from "../layout.js";
import { roleNames } from "../roles.js";
import { COPY } from "../copy.js";

const C = COPY.staffMembers;
const STAFF = "/v1/staff/staff-members";
const ROLES = ["agent", "supervisor", "finance", "admin"];

await startPage({ title: C.title });

function field(id, label, input, hint = null) {
  return h(
    "div",
    { class: "usa-form-group" },
    h("label", { class: "usa-label", for: id }, label),
    hint ? h("span", { class: "usa-hint", id: `${id}-hint` }, hint) : null,
    input,
  );
}

function inviteForm() {
  const form = h(
    "form",
    { id: "invite", class: "usa-form usa-form--large", method: "post", novalidate: true, "aria-labelledby": "invite-heading" },
    h("h2", { id: "invite-heading" }, C.inviteHeading),
    h("p", { class: "usa-hint", id: "invite-hint" }, C.inviteHint),
    field("invite-email", C.email, h("input", { class: "usa-input", id: "invite-email", name: "email", type: "email", autocomplete: "off", spellcheck: "false", required: true })),
    field("invite-name", C.name, h("input", { class: "usa-input", id: "invite-name", name: "name", autocomplete: "off", required: true })),
    field(
      "invite-role",
      C.role,
      h("select", { class: "usa-select", id: "invite-role", name: "group", required: true }, h("option", { value: "" }, C.chooseRole), ROLES.map((role) => h("option", { value: role }, roleNames([role])))),
    ),
    h("button", { class: "usa-button", type: "submit" }, C.invite),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const ok = validate(form, [
      ["invite-email", (v) => (emailRule(v) ? C.needEmail : null)],
      ["invite-name", (v) => (v ? null : C.needName)],
      ["invite-role", (v) => (v ? null : C.needRole)],
    ]);
    if (!ok) return;
    const restore = busy(form.querySelector("button[type=submit]"), C.inviting);
    const alerts = $("#page-alerts");
    alerts.replaceChildren();
    try {
      const invited = await post(STAFF, { email: $("#invite-email").value.trim(), name: $("#invite-name").value.trim(), group: $("#invite-role").value });
      form.reset();
      showAlert(alerts, { type: "success", text: C.invited(invited.email), focus: true });
      await loadStaff();
    } catch (error) {
      showApiError(error, { container: alerts, form, fieldMap: { email: "invite-email", name: "invite-name", group: "invite-role" }, what: C.notInvited });
    } finally {
      restore();
    }
  });
  return form;
}

const columns = [
  { label: C.columns.name, cell: (m) => m.name || m.email },
  { label: C.columns.email, cell: (m) => m.email },
  { label: C.columns.role, cell: (m) => roleNames(m.groups) },
  { label: C.columns.status, cell: (m) => (m.enabled ? C.statuses[m.status] : C.disabled) },
  { label: C.columns.since, cell: (m) => (m.created_at ? formatDateTime(m.created_at) : "") },
];

async function loadStaff() {
  const list = $("#staff-list");
  await section(list, C.section, async () => {
    const { staff_members: members } = await get(STAFF);
    list.replaceChildren(h("h2", {}, C.caption), table({ caption: C.caption, columns, rows: members, empty: C.empty, captionHidden: true }));
  });
}

$("#invite-section").replaceChildren(inviteForm());
await loadStaff();
