"""What each read costs as a customer's history grows (issue 18): DynamoDB round trips and items read, counted with
botocore hooks (``tests/integration/read_counts.py``), through the real handlers behind the local gateway.

Customers with 10, 1,000 and 100,000 invoices are batch-written through the project's item builders
(``tests/integration/read_budget_support.py``: three years of invoices, all paid but the newest ten, four to a
card payment). For each: the portal's invoice list (first page), an invoice's and a payment's detail, statements
of one month and one year, and the staff's customer record and its payments and invoices lists. Then the
staff reports over a quarter and a year, once (they read the daily totals, whatever the customers): collections
and metrics, and the exceptions report (a quarter). Counts do not depend on the machine's load; the milliseconds
are moto's, in one process.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

SIZES = tuple(int(s) for s in os.environ.get("READ_COSTS_SIZES", "10,1000,100000").split(","))
REPORT_DAYS = 365


def _measure(call: Any) -> dict[str, Any]:
    from tests.integration.read_counts import dynamodb_reads

    with dynamodb_reads() as reads:
        began = time.perf_counter()
        reply = call()
        took = (time.perf_counter() - began) * 1000
    figures = {**reads.figures(), "ms": round(took, 1)}
    # a route that fails is reported with its answer, so one broken route does not hide the others' figures
    return figures if reply.status == 200 else {**figures, "status": reply.status, "answer": reply.body}


def _customer_routes(gateway: Any, env: Any, built: Any, today: Any, staff_token: str) -> dict[str, Any]:
    token = env.login(env.create_user(f"bench-{built.customer_id.lower()}@example.org",
                                      customer_id=built.customer_id).username).id_token  # fmt: skip
    old_invoice = built.invoices[0]
    old_payment = built.payments[0] if built.payments else None
    cid = built.customer_id
    routes: dict[str, str] = {
        "portal_invoice_list_page": "/v1/portal/invoices",
        "portal_invoice_detail": f"/v1/portal/invoices/{old_invoice.invoice_id}",
        "statement_1_month": f"/v1/portal/statements?from={today - timedelta(days=30)}&to={today}",
        "statement_1_year": f"/v1/portal/statements?from={today - timedelta(days=364)}&to={today}",
    }
    if old_payment is not None:
        routes["portal_payment_detail"] = f"/v1/portal/payments/{old_payment.payment_id}"
    staff_routes = {
        "staff_customer_record": f"/v1/staff/customers/{cid}",
        "staff_customer_payments": f"/v1/staff/customers/{cid}/payments",
        "staff_customer_invoices": f"/v1/staff/customers/{cid}/invoices",
    }
    out = {name: _measure(lambda p=path: gateway.request("GET", p, token=token)) for name, path in routes.items()}
    for name, path in staff_routes.items():
        out[name] = _measure(lambda p=path: gateway.request("GET", p, token=staff_token))
    return out


def _fold_a_year(table: str, today: Any) -> None:
    """One card payment a day for a year, folded into the daily totals as its event would fold it."""
    from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
    from arportal.services.daily_totals import fold_payment
    from arportal.wiring.daily_totals import daily_totals
    from tests import builders as b
    from tests.integration.conftest import new_customer_id

    cid = new_customer_id()
    start = today - timedelta(days=REPORT_DAYS)
    payments = [
        b.payment(cid, amount=1_000 + i, at=datetime.combine(start + timedelta(days=i), datetime.min.time(), UTC)
                  + timedelta(hours=15))
        for i in range(REPORT_DAYS)
    ]  # fmt: skip
    DynamoCustomerRecords(table).put_new([b.customer(cid), *payments])
    store = daily_totals()
    for p in payments:
        fold_payment(store, cid, p.payment_id)


def run() -> dict[str, object]:
    from arportal.config import settings
    from local.environment import LocalEnvironment
    from local.gateway import Gateway
    from tests.clock import SESSION_TODAY
    from tests.integration.conftest import GatewayClient, new_customer_id
    from tests.integration.read_budget_support import build_customer

    today = SESSION_TODAY
    by_size: dict[str, Any] = {}
    with LocalEnvironment(max_wait_seconds=0) as env:
        table = settings().ledger_table
        gateway = GatewayClient(Gateway(env))
        env.create_user("bench-reads-staff@example.org", groups=("finance", "agent"))
        staff_token = env.login("bench-reads-staff@example.org").id_token
        for size in SIZES:
            began = time.perf_counter()
            built = build_customer(table, new_customer_id(), size, today=today)
            load_s = round(time.perf_counter() - began, 1)
            by_size[str(size)] = {"load_s": load_s, **_customer_routes(gateway, env, built, today, staff_token)}
        _fold_a_year(table, today)
        quarter = f"from={today - timedelta(days=91)}&to={today}"
        year = f"from={today - timedelta(days=364)}&to={today}"
        reports = {
            "collections_quarter": f"/v1/staff/reports/collections?{quarter}",
            "collections_year": f"/v1/staff/reports/collections?{year}",
            "metrics_quarter": f"/v1/staff/reports/metrics?{quarter}",
            "metrics_year": f"/v1/staff/reports/metrics?{year}",
            "exceptions_quarter": f"/v1/staff/reports/exceptions?{quarter}",
        }
        report_costs = {
            n: _measure(lambda p=p: gateway.request("GET", p, token=staff_token)) for n, p in reports.items()
        }
    return {
        "sizes": list(SIZES),
        "by_invoices": by_size,
        "reports": report_costs,
        "notes": (
            "round_trips and items_read are DynamoDB requests (retries included) and the items their answers carried "
            "(Query Count, GetItem, BatchGetItem); a route is O(page) when its figures stay flat across sizes, a "
            "statement O(range) when they grow with its range only; ms are moto's, in one process"
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, default=str))
