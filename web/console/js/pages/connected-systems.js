// Connected systems (administrators: integrations.manage): every app client of the integrations pool with its scopes
// in words and its secrets (ids and dates; the API answers a secret's value once, when it is made, and never again).
//
// The rotation rules are the API's: at most two secrets, never none, and a 409 with the reason otherwise. The page
// states them in a hint and shows the API's answer rather than second-guessing it, so the two cannot disagree.
// A new secret's value lives only in the dialog that shows it: no variable outlives the dialog, nothing is stored,
// and the dialog leaves the page when it closes.
//
// Dialogs are native <dialog> elements opened with showModal() and dressed as USWDS modals: the browser makes the
// rest of the page inert, keeps focus inside, and closes them on Escape. The list is rebuilt after each change, so
// focus goes back to the control the person came from by its id, not by a reference to the element it replaced.

import { del, get, post } from "../../../shared/js/api.js";
import { formatDateTime } from "../../../shared/js/money.js";
import { $, busy, capitalise, definitionList, h, section, showAlert, showApiError, table } from "../../../shared/js/ui.js";
import { confirmDialog, showSecretOnce } from "../dialogs.js";
import { startPage } from "../layout.js";
import { COPY } from "../copy.js";

const C = COPY.connectedSystems;

const CLIENTS = "/v1/staff/integrations/clients";
const MAX_SECRETS = 2; // the API's limit: named in the hint only, the API enforces it

await startPage({ title: C.title });
const list = $("#clients");

// Cognito's ids (letters, digits, "_" and "-") are safe in element ids as they are.
const idsOf = (client) => {
  const base = `client-${client.client_id}`;
  return { heading: base, hint: `${base}-hint`, result: `${base}-result`, add: `${base}-add` };
};
const byId = (id) => document.getElementById(id);
const secretsPath = (client) => `${CLIENTS}/${encodeURIComponent(client.client_id)}/secrets`;

function secretsHint(count) {
  return count >= MAX_SECRETS
    ? C.fullHint(count, MAX_SECRETS)
    : C.hint(count, MAX_SECRETS);
}

function secretColumns(client) {
  const newest = client.secrets.length > 1 ? client.secrets.at(-1).secret_id : null;
  return [
    { label: C.columns.secretId, cell: (s) => h("code", { class: "secret-id" }, s.secret_id) },
    {
      label: C.columns.created,
      cell: (s) => [formatDateTime(s.created_at), s.secret_id === newest ? h("span", { class: "usa-tag tag--info margin-left-1" }, C.newest) : null],
    },
    {
      label: C.columns.action,
      cell: (s) =>
        h(
          "button",
          { type: "button", class: "usa-button usa-button--outline", id: `retire-${s.secret_id}`, onclick: (event) => retireSecret(client, s, event.currentTarget) },
          C.retire,
          h("span", { class: "usa-sr-only" }, C.retireSecret(s.secret_id)),
        ),
    },
  ];
}

function clientSection(client) {
  const ids = idsOf(client);
  const scopes = client.scopes.map((scope) => [h("code", {}, scope), client.scope_descriptions?.[scope] || C.noDescription]);
  return h(
    "section",
    { class: "connected-system", "aria-labelledby": ids.heading },
    h("h2", { id: ids.heading }, client.client_name),
    definitionList([[C.clientId, h("code", {}, client.client_id)]]),
    h("h3", {}, C.scopes),
    scopes.length ? definitionList(scopes) : h("p", { class: "empty-state" }, C.noScopes),
    h("h3", {}, C.secrets),
    h("p", { class: "usa-hint", id: ids.hint }, secretsHint(client.secrets.length)),
    table({ caption: C.secretsCaption(client.client_name), captionHidden: true, rows: client.secrets, columns: secretColumns(client), empty: C.noSecrets }),
    h("div", { id: ids.result }),
    h(
      "div",
      { class: "button-row" },
      h(
        "button",
        { type: "button", class: "usa-button", id: ids.add, "aria-describedby": ids.hint, onclick: (event) => addSecret(client, event.currentTarget) },
        C.add,
        h("span", { class: "usa-sr-only" }, C.addFor(client.client_name)),
      ),
    ),
  );
}

async function load() {
  const { clients } = await get(CLIENTS);
  list.replaceChildren(
    ...(clients.length
      ? clients.map(clientSection)
      : [h("p", { class: "empty-state" }, C.none)]),
  );
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

/** What the API refused, with its reason: 409 (the two-secret limit, the last secret) and 404 say why in words. */
function showRefusal(error, container, heading, what) {
  if (error.status === 409 || error.status === 404) {
    showAlert(container, { type: "error", heading, text: capitalise(error.message || C.refused), focus: true });
  } else {
    showApiError(error, { container, what });
  }
}

// --- dialogs (js/dialogs.js: native <dialog>s dressed as USWDS modals) --------------------------------------------

function showNewSecret(client, added) {
  return showSecretOnce({
    heading: C.newSecret(client.client_name),
    label: C.clientSecret,
    secret: added.client_secret,
    facts: [
      [C.clientId, h("code", {}, client.client_id)],
      [C.secretId, h("code", {}, added.secret_id)],
    ],
    warning: C.shownOnce,
  });
}

function confirmRetire(client, secret) {
  return confirmDialog({
    id: "retire",
    heading: C.retireHeading,
    body: [
      h("p", {}, C.noMoreTokens(client.client_name), h("code", { class: "secret-id" }, secret.secret_id), C.cannotUndo),
      h("p", {}, C.retireOnce),
    ],
    confirm: C.retireConfirm,
    danger: true,
  });
}

// --- the two changes ----------------------------------------------------------------------------------------------

async function addSecret(client, button) {
  const ids = idsOf(client);
  const restore = busy(button, C.adding);
  let added;
  try {
    added = await post(secretsPath(client));
  } catch (error) {
    restore();
    showRefusal(error, byId(ids.result), C.notAdded, C.addingWhat);
    return;
  }
  const closed = showNewSecret(client, added);
  if (!(await refresh())) restore(); // behind the dialog, so the table has the new secret when it closes
  await closed;
  showAlert(byId(ids.result), { type: "success", slim: true, text: C.added(added.secret_id) });
  byId(ids.add)?.focus();
}

async function retireSecret(client, secret, button) {
  if (!(await confirmRetire(client, secret))) {
    button.focus();
    return;
  }
  const ids = idsOf(client);
  const restore = busy(button, C.retiring);
  try {
    await del(`${secretsPath(client)}/${encodeURIComponent(secret.secret_id)}`);
  } catch (error) {
    restore();
    showRefusal(error, byId(ids.result), C.notRetired, C.retiringWhat);
    return;
  }
  if (!(await refresh())) restore();
  showAlert(byId(ids.result), {
    type: "success",
    slim: true,
    text: C.retired(secret.secret_id, client.client_name),
  });
  byId(ids.add)?.focus(); // its row is gone
}

await section(list, C.section, load);
