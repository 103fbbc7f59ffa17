// One search box for every key a customer can read out (or any word of a name, the start of an email or phone), and
// payment activity by day with filters (the Department filter lists the agency's departments by name).

import { get } from "../../../shared/js/api.js";
import { addDays, humanize, today } from "../../../shared/js/money.js";
import { $, announce, h, link, moreButton, section, showFormErrors, table } from "../../../shared/js/ui.js";
import { startPage } from "../layout.js";
import { customerHref, paymentHref, paymentsTable } from "../views.js";
import { COPY } from "../copy.js";

const C = COPY.search;

await startPage({ title: C.title });
const params = new URLSearchParams(location.search);

function recordLink(match) {
  const paymentId = match.payment?.payment_id || (match.entity_type === "payment" ? match.entity_id : null);
  if (paymentId) return link(paymentHref(paymentId), C.payment(match.record?.receipt_number || paymentId));
  return match.customer ? link(customerHref(match.customer.customer_id), C.customerRecord) : "";
}

function showMatches(result) {
  const container = $("#results");
  const rows = result.matches || [];
  const interpreted = (result.interpreted_as || []).map(humanize).join(", ");
  container.replaceChildren(
    h("h2", { id: "results-heading", tabindex: "-1" }, rows.length ? C.found(rows.length) : C.nothingFound),
    h("p", { class: "usa-hint" }, interpreted ? C.lookedFor(result.query, interpreted) : ""),
    table({
      caption: C.caption(result.query),
      captionHidden: true,
      rows,
      empty: C.empty,
      columns: [
        { label: C.columns.found, cell: (m) => C.record(humanize(m.kind), m.entity_id) },
        {
          label: C.columns.customer,
          cell: (m) => (m.customer ? link(customerHref(m.customer.customer_id), m.customer.name || m.customer.customer_id) : C.guest),
        },
        { label: C.columns.contact, cell: (m) => [m.customer?.email, m.customer?.phone].filter(Boolean).join(" · ") },
        { label: C.columns.open, cell: recordLink },
      ],
    }),
  );
  announce(rows.length ? C.foundAnnounce(rows.length) : C.nothingFoundAnnounce);
}

async function search(q, kind) {
  await section($("#results"), C.results, async () => {
    showMatches(await get("/v1/staff/search", { query: { q, type: kind || undefined, limit: 20 } }));
  });
}

$("#search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const q = $("#q").value.trim();
  if (!q) {
    showFormErrors(form, [{ field: "q", reason: C.enterQuery }]);
    return;
  }
  form.querySelector(".form-error-summary")?.remove();
  history.replaceState(null, "", `?q=${encodeURIComponent(q)}${$("#kind").value ? `&type=${$("#kind").value}` : ""}`);
  await search(q, $("#kind").value);
});

// --- activity ---------------------------------------------------------------------------------------------------

$("#to").value = today();
$("#from").value = addDays(today(), -30);

/** The Department filter: the agency's departments by name; the filter still works (as "Any") if they cannot be read. */
async function fillDepartments() {
  try {
    const { departments } = await get("/v1/staff/departments");
    $("#department").append(...departments.map((d) => h("option", { value: d.code }, d.name)));
  } catch {
    // "Any" stays: payments are still listed, only not narrowed by department.
  }
}

async function showActivity(form) {
  const container = $("#activity");
  const query = Object.fromEntries(new FormData(form));
  let rows = [];
  const more = moreButton(C.more, (cursor) => load(cursor));
  async function load(cursor = null) {
    const page = await get("/v1/staff/activity", { query: { ...query, cursor, limit: 25 } });
    rows = cursor ? rows.concat(page.payments) : page.payments;
    more.update(page.next_cursor);
    container.replaceChildren(
      paymentsTable(C.activityCaption, rows, { withCustomer: true, empty: C.noActivity }),
      more.element,
    );
  }
  await section(container, C.payments, () => load());
}

$("#activity-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  if (!$("#from").value || !$("#to").value) {
    showFormErrors(form, [{ field: $("#from").value ? "to" : "from", reason: C.enterDate }]);
    return;
  }
  form.querySelector(".form-error-summary")?.remove();
  await showActivity(form);
});

fillDepartments(); // not awaited: a search asked for in the address runs at once

if (params.get("q")) {
  $("#q").value = params.get("q");
  if (params.get("type")) $("#kind").value = params.get("type");
  await search(params.get("q"), params.get("type"));
}
