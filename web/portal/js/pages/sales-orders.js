// Sales orders (view only): date, account, what was ordered and the total.

import { startPage } from "../layout.js";
import { pagedList } from "../../../shared/js/list.js";
import { formatDate } from "../../../shared/js/money.js";
import { $, h, money } from "../../../shared/js/ui.js";
import { COPY } from "../copy.js";

const C = COPY.salesOrders;

await startPage({ title: C.title });

await pagedList($("#sales-orders"), {
  path: "/v1/portal/sales-orders",
  key: "sales_orders",
  what: C.what,
  caption: C.caption,
  empty: C.empty,
  columns: [
    { label: C.columns.order, cell: (o) => o.number },
    { label: C.columns.account, cell: (o) => o.account_number },
    { label: C.columns.date, cell: (o) => formatDate(o.order_date) },
    {
      label: C.columns.items,
      cell: (o) => h("ul", { class: "usa-list usa-list--unstyled" }, o.lines.map((l) => h("li", {}, C.item(l.description, money(l.amount))))),
    },
    { label: C.columns.total, cell: (o) => money(o.total), numeric: true },
  ],
});
