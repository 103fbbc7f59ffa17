// Sales orders (view only): date, account, what was ordered and the total.

import { startPage } from "../layout.js";
import { pagedList } from "../../../shared/js/list.js";
import { formatDate } from "../../../shared/js/money.js";
import { $, h, money } from "../../../shared/js/ui.js";

await startPage({ title: "Sales orders" });

await pagedList($("#sales-orders"), {
  path: "/v1/portal/sales-orders",
  key: "sales_orders",
  what: "Sales orders",
  caption: "Your sales orders",
  empty: "You have no sales orders.",
  columns: [
    { label: "Order", cell: (o) => o.number },
    { label: "Account", cell: (o) => o.account_number },
    { label: "Date", cell: (o) => formatDate(o.order_date) },
    {
      label: "Items",
      cell: (o) => h("ul", { class: "usa-list usa-list--unstyled" }, o.lines.map((l) => h("li", {}, `${l.description}: ${money(l.amount)}`))),
    },
    { label: "Total", cell: (o) => money(o.total), numeric: true },
  ],
});
