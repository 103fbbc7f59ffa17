// Credit notes: amount, reason, what each was applied to, and what remains.

import { startPage } from "../layout.js";
import { pagedList } from "../../../shared/js/list.js";
import { formatDate } from "../../../shared/js/money.js";
import { $, h, money } from "../../../shared/js/ui.js";
import { COPY } from "../copy.js";

const C = COPY.creditNotes;

await startPage({ title: C.title });

await pagedList($("#credit-notes"), {
  path: "/v1/portal/credit-notes",
  key: "credit_notes",
  what: C.what,
  caption: C.caption,
  empty: C.empty,
  columns: [
    { label: C.columns.note, cell: (c) => c.number },
    { label: C.columns.account, cell: (c) => c.account_number },
    { label: C.columns.issued, cell: (c) => formatDate(c.issued_on) },
    { label: C.columns.reason, cell: (c) => c.reason },
    {
      label: C.columns.appliedTo,
      cell: (c) =>
        c.applications.length
          ? h("ul", { class: "usa-list usa-list--unstyled" }, c.applications.map((a) => h("li", {}, C.applied(a.invoice_number, money(a.amount)))))
          : C.notApplied,
    },
    { label: C.columns.amount, cell: (c) => money(c.amount), numeric: true },
    { label: C.columns.left, cell: (c) => money(c.remaining), numeric: true },
  ],
});
