// The approvals queue: supervisors and finance decide what waits (never their own requests: the API refuses
// self-approval with 403 self_approval); a requester sees their own requests and how they ended.

import { session } from "../../../shared/js/auth.js";
import { get, newIdempotencyKey, post } from "../../../shared/js/api.js";
import { formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, alertBox, announce, busy, h, link, money, moreButton, section, showAlert, showApiError, statusTag, table } from "../../../shared/js/ui.js";
import { allowed, startPage } from "../layout.js";
import { paymentHref } from "../views.js";
import { COPY } from "../copy.js";

const C = COPY.approvals;

await startPage({ title: C.title });
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
    const restore = busy(event.currentTarget, decision === "approve" ? C.approving : C.rejecting);
    try {
      await post(`/v1/staff/approvals/${encodeURIComponent(id)}/decision`, { decision, note: note.value.trim() || (decision === "approve" ? C.approvedNote : C.rejectedNote) }, { idempotencyKey: newIdempotencyKey() });
      showAlert(result, { type: "success", slim: true, text: decision === "approve" ? C.approvedText : C.rejectedText, focus: true });
      announce(decision === "approve" ? C.approvedAnnounce : C.rejectedText);
      for (const button of result.parentElement.querySelectorAll("button")) button.hidden = true;
    } catch (error) {
      if (error.code === "self_approval") {
        showAlert(result, { type: "error", heading: C.ownRequest, text: C.ownRequestText, focus: true });
      } else {
        showApiError(error, { container: result, what: C.theDecision });
      }
    } finally {
      restore();
    }
  };
  return h(
    "div",
    { class: "decision" },
    h("label", { class: "usa-label margin-top-0", for: `decision-${id}-note` }, C.decisionNote),
    note,
    h(
      "div",
      { class: "button-row" },
      h("button", { type: "button", class: "usa-button", onclick: decide("approve"), "aria-describedby": `approval-${id}` }, C.approve),
      h("button", { type: "button", class: "usa-button usa-button--secondary", onclick: decide("reject"), "aria-describedby": `approval-${id}` }, C.reject),
    ),
    result,
  );
}

const COLUMNS = [
  { label: C.columns.request, cell: (a) => h("span", { id: `approval-${a.approval_id}` }, C.request(humanize(a.action), money(a.amount)), mine(a) ? C.yours : "") },
  { label: C.columns.status, cell: (a) => statusTag(a.status || "pending") },
  { label: C.columns.for, ids: true, cell: (a) => (String(a.target_id).startsWith("pay_") ? link(paymentHref(a.target_id), a.target_id) : a.target_id) },
  { label: C.columns.requested, ids: true, cell: (a) => C.requested(formatDateTime(a.created_at), a.requested_by) },
  { label: C.columns.reason, cell: (a) => [humanize(a.reason || a.reason_code || ""), a.note ? `: ${a.note}` : ""].join("") },
  { label: C.columns.decision, cell: decisionCell },
];

async function show(status) {
  const container = $("#approvals");
  let rows = [];
  const more = moreButton(C.more, (cursor) => load(cursor));
  async function load(cursor = null) {
    const page = await get("/v1/staff/approvals", { query: { status, cursor, limit: 25 } });
    rows = cursor ? rows.concat(page.approvals) : page.approvals;
    more.update(page.next_cursor);
    const note = allowed("approvals.decide") ? [] : [alertBox({ type: "info", slim: true, text: C.ownOnly })];
    container.replaceChildren(
      ...note,
      table({ caption: C.caption(humanize(status)), rows, columns: COLUMNS, empty: C.empty }),
      more.element,
    );
  }
  await section(container, C.section, () => load());
}

$("#approvals-filter").addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = $("#approval-status").value;
  history.replaceState(null, "", `?status=${status}`);
  await show(status);
});

await show($("#approval-status").value);
