"""Read budgets of the portal's invoice list, invoice detail and payment detail (issue 18): DynamoDB round trips and
items read, counted with botocore hooks through the real routes, are the same for a customer with 14 invoices (10
open and one payment of 4: the smallest with a payment to show) and one with 1,000 (bench/read_costs.py takes them
to 100,000). A regression that reads history fails here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from arportal.domain.models import CreditApplication
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.read_budget_support import BuiltCustomer, build_customer
from tests.integration.read_counts import dynamodb_reads

SIZES = (14, 1_000)
PAGE = 25

# route -> (round trips, items read), at most; every size must cost the same
BUDGETS = {
    "list": (1, PAGE + 1),  # one Query of ByParent, one row more than the page
    "list_unpaid": (1, PAGE + 1),  # one Query of OpenItems
    "list_by_issue": (1, PAGE + 1),  # one Query of ByActivityDay (ISSUED#)
    "list_next_page": (1, PAGE + 1),
    "invoice_detail": (3, 5),  # GetItem; Query of its ByParent partition; BatchGetItem of its payments and credit notes
    "payment_detail": (3, 6),  # GetItem; Query of its ALLOC#; Query of its receipt's documents
}


def _routes(customer: BuiltCustomer) -> dict[str, str]:
    invoice, payment = customer.newest_paid_invoice, customer.payments[0]  # the first pays 4 invoices at any size
    return {
        "list": f"/v1/portal/invoices?limit={PAGE}",
        "list_unpaid": f"/v1/portal/invoices?limit={PAGE}&status=open&status=partially_paid&status=overdue",
        "list_by_issue": f"/v1/portal/invoices?limit={PAGE}&sort=-issue_date",
        "invoice_detail": f"/v1/portal/invoices/{invoice.invoice_id}",
        "payment_detail": f"/v1/portal/payments/{payment.payment_id}",
    }


@pytest.fixture(scope="module")
def customers(local_env) -> dict[int, tuple[BuiltCustomer, str]]:
    today = datetime.now(UTC).date()  # the routes compute overdue against the real today
    built: dict[int, tuple[BuiltCustomer, str]] = {}
    for size in SIZES:
        customer = build_customer(settings().ledger_table, new_customer_id(), size, today=today)
        _credit_applied(customer)
        user = local_env.create_user(f"budget-{uuid.uuid4().hex[:10]}@example.com", customer_id=customer.customer_id)
        built[size] = (customer, local_env.login(user.username).id_token)
    return built


def _credit_applied(customer: BuiltCustomer) -> None:
    """A credit note applied to the invoice whose detail is measured (through the item builders)."""
    invoice = customer.newest_paid_invoice
    note = b.credit_note(customer.customer_id, customer.account_number, amount=500).model_copy(
        update={
            "remaining": 0,
            "applications": [
                CreditApplication(
                    invoice_id=invoice.invoice_id,
                    invoice_number=invoice.invoice_number,
                    amount=500,
                    applied_at=datetime.now(UTC),
                )
            ],
        }
    )
    DynamoCustomerRecords(settings().ledger_table).put_new([note])


def _measure(gateway, token: str, path: str) -> tuple[dict[str, int], dict]:
    with dynamodb_reads() as reads:
        reply = gateway.request("GET", path, token=token)
    assert reply.status == 200, (path, reply.body)
    return reads.figures(), reply.body


def test_each_route_costs_the_same_at_10_and_1000_invoices_and_stays_in_budget(gateway, customers):
    figures: dict[str, dict[int, dict[str, int]]] = {}
    for size, (customer, token) in customers.items():
        for route, path in _routes(customer).items():
            figures.setdefault(route, {})[size], body = _measure(gateway, token, path)
            if route == "list":
                next_cursor = body["next_cursor"] if size > PAGE else None
                if next_cursor:
                    page_two = f"{path}&cursor={next_cursor}"
                    figures.setdefault("list_next_page", {})[size], _ = _measure(gateway, token, page_two)
    for route, by_size in figures.items():
        round_trips, items = BUDGETS[route]
        for size, counted in by_size.items():
            assert counted["round_trips"] <= round_trips and counted["items_read"] <= items, (route, size, counted)
        if route.startswith("list"):  # a short list is read whole; a long one, a page and one row
            assert len({c["round_trips"] for c in by_size.values()}) == 1, (route, by_size)
        else:  # the same items at any size: the record's own, not the history
            assert by_size[SIZES[0]] == by_size[SIZES[-1]], (route, by_size)
    print(figures)  # the figures the issue reports (pytest -s)


def test_the_pages_of_a_large_list_are_the_whole_list_in_order_without_a_total(gateway, customers):
    customer, token = customers[1_000]
    seen: list[str] = []
    cursor = ""
    while True:
        reply = gateway.request("GET", f"/v1/portal/invoices?limit=100&sort=due_date{cursor}", token=token)
        assert reply.status == 200, reply.body
        seen += [i["invoice_id"] for i in reply.body["invoices"]]
        assert reply.body["total"] is None  # counting would read them all
        if not reply.body["next_cursor"]:
            break
        cursor = f"&cursor={reply.body['next_cursor']}"
    expected = sorted(customer.invoices, key=lambda i: (i.due_date, i.invoice_id))
    assert seen == [i.invoice_id for i in expected]


def test_invoice_and_payment_detail_show_only_their_own_items(gateway, customers):
    customer, token = customers[1_000]
    invoice, payment = customer.newest_paid_invoice, customer.payments[-1]
    detail = gateway.request("GET", f"/v1/portal/invoices/{invoice.invoice_id}", token=token).body
    assert [p["payment_id"] for p in detail["payments"]] == [payment.payment_id]
    assert [c["amount"]["amount"] for c in detail["credit_notes"]] == [500]
    paid = gateway.request("GET", f"/v1/portal/payments/{payment.payment_id}", token=token).body
    assert invoice.invoice_id in [a["invoice_id"] for a in paid["allocations"]]
