// Credit notes: amount, reason, what each was applied to, and what remains.

import { startPage } from "../layout.js";
import { pagedList } from "../../../shared/js/list.js";
import { formatDate } from "../../../shared/js/money.js";
import { $, h, money } from "../../../shared/js/ui.js";

await startPage({ title: "Credit notes" });

await pagedList($("#credit-notes"), {
  path: "/v1/portal/credit-notes",
  key: "credit_notes",
  what: "Credit notes",
  caption: "Your credit notes",
  empty: "You have no credit notes.",
  columns: [
    { label: "Credit note", cell: (c) => c.number },
    { label: "Account", cell: (c) => c.account_number },
    { label: "Issued", cell: (c) => formatDate(c.issued_on) },
    { label: "Reason", cell: (c) => c.reason },
    {
      label: "Applied to",
      cell: (c) =>
        c.applications.length
          ? h("ul", { class: "usa-list usa-list--unstyled" }, c.applications.map((a) => h("li", {}, `${a.invoice_number}: ${money(a.amount)}`)))
          : "Not applied yet",
    },
    { label: "Amount", cell: (c) => money(c.amount), numeric: true },
    { label: "Left", cell: (c) => money(c.remaining), numeric: true },
  ],
});
