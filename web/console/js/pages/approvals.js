// The approvals queue: supervisors and finance decide what waits (never their own requests: the API refuses
// self-approval with 403 self_approval); a requester sees their own requests and how they ended.

import { session } from "../../../shared/js/auth.js";
import { get, newIdempotencyKey, post } from "../../../shared/js/api.js";
import { formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, alertBox, announce, busy, h, link, money, moreButton, section, showAlert, showApiError, statusTag, table } from "../../../shared/js/ui.js";
import { allowed, startPage } from "../layout.js";
import { paymentHref } from "../views.js";

await startPage({ title: "Approvals" });
const params = new URLSearchParams(location.search);
if (params.get("status")) $("#approval-status").value = params.get("status");
const me = session()?.email || "";
const mine = (a) => Boolean(me) && String(a.requested_by || "").endsWith(me);

function decisionCell(approval) {
  if (approval.status !== "pending" || !allowed("approvals.decide")) return approval.decision_note || approval.note || "";
  const id = approval.approval_id;
  const result = h("div", { id: `decision-${id}-result` });
  const note = h("input", { class: "usa-input", id: `decision-${id}-note`, name: "note", maxlength: "1000", autocomplete: "off" });
  const decide = (decision) => async (event) => {
    const restore = busy(event.currentTarget, decision === "approve" ? "Approving…" : "Rejecting…");
    try {
      await post(`/v1/staff/approvals/${encodeURIComponent(id)}/decision`, { decision, note: note.value.trim() || (decision === "approve" ? "Approved" : "Rejected") }, { idempotencyKey: newIdempotencyKey() });
      showAlert(result, { type: "success", slim: true, text: decision === "approve" ? "Approved: it is being carried out." : "Rejected.", focus: true });
      announce(decision === "approve" ? "Approved." : "Rejected.");
      for (const button of result.parentElement.querySelectorAll("button")) button.hidden = true;
    } catch (error) {
      if (error.code === "self_approval") {
        showAlert(result, { type: "error", heading: "You cannot decide your own request", text: "Another supervisor or finance officer must approve or reject it.", focus: true });
      } else {
        showApiError(error, { container: result, what: "The decision" });
      }
    } finally {
      restore();
    }
  };
  return h(
    "div",
    { class: "decision" },
    h("label", { class: "usa-label margin-top-0", for: `decision-${id}-note` }, "Decision note"),
    note,
    h(
      "div",
      { class: "button-row" },
      h("button", { type: "button", class: "usa-button", onclick: decide("approve"), "aria-describedby": `approval-${id}` }, "Approve"),
      h("button", { type: "button", class: "usa-button usa-button--secondary", onclick: decide("reject"), "aria-describedby": `approval-${id}` }, "Reject"),
    ),
    result,
  );
}

const COLUMNS = [
  { label: "Request", cell: (a) => h("span", { id: `approval-${a.approval_id}` }, `${humanize(a.action)} of ${money(a.amount)}`, mine(a) ? " (your request)" : "") },
  { label: "Status", cell: (a) => statusTag(a.status || "pending") },
  { label: "For", ids: true, cell: (a) => (String(a.target_id).startsWith("pay_") ? link(paymentHref(a.target_id), a.target_id) : a.target_id) },
  { label: "Requested", ids: true, cell: (a) => `${formatDateTime(a.created_at)} by ${a.requested_by}` },
  { label: "Reason", cell: (a) => [humanize(a.reason || a.reason_code || ""), a.note ? `: ${a.note}` : ""].join("") },
  { label: "Decision", cell: decisionCell },
];

async function show(status) {
  const container = $("#approvals");
  let rows = [];
  const more = moreButton("Show more approvals", (cursor) => load(cursor));
  async function load(cursor = null) {
    const page = await get("/v1/staff/approvals", { query: { status, cursor, limit: 25 } });
    rows = cursor ? rows.concat(page.approvals) : page.approvals;
    more.update(page.next_cursor);
    const note = allowed("approvals.decide") ? [] : [alertBox({ type: "info", slim: true, text: "You see your own requests and how they were decided." })];
    container.replaceChildren(
      ...note,
      table({ caption: `Approvals: ${humanize(status)}`, rows, columns: COLUMNS, empty: "No approvals here." }),
      more.element,
    );
  }
  await section(container, "Approvals", () => load());
}

$("#approvals-filter").addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = $("#approval-status").value;
  history.replaceState(null, "", `?status=${status}`);
  await show(status);
});

await show($("#approval-status").value);
