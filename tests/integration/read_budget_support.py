"""A customer of any size for the read budgets (tests/integration/test_read_budgets_statements.py and
bench/read_costs.py): ``invoices`` invoices issued over the last three years, all paid but the newest ten, paid
four at a time by card payments (one allocation each), batch-written through the project's item builders with
the customer's balance checkpoints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from arportal.adapters.dynamodb import balance_checkpoints
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.domain.agency_time import AgencyTime
from arportal.domain.models import Allocation, Invoice, InvoiceLine, Payment
from arportal.domain.status import PaymentStatus, invoice_status_for
from tests import builders as b

SPAN_DAYS = 3 * 365
OPEN = 10
PER_PAYMENT = 4
AMOUNT = 10_000


@dataclass(frozen=True)
class BuiltCustomer:
    customer_id: str
    account_number: str
    invoices: list[Invoice]
    payments: list[Payment]

    @property
    def newest_paid_invoice(self) -> Invoice:
        return self.invoices[-OPEN - 1]


def build_customer(table: str, customer_id: str, invoices: int, *, today: date) -> BuiltCustomer:
    account = b.account(customer_id)
    made: list[Invoice] = []
    for i in range(invoices):
        issued = today - timedelta(days=1 + (invoices - 1 - i) * SPAN_DAYS // invoices)
        paid = 0 if i >= invoices - OPEN else AMOUNT
        made.append(
            Invoice(
                # letters between the digits: no id reads like a card number to the request guard
                invoice_id=f"inv_{customer_id[4:]}K{i:07d}",
                invoice_number=f"UT-{customer_id[4:]}-{i:07d}",
                customer_id=customer_id,
                account_number=account.account_number,
                department="utilities",
                issue_date=issued,
                due_date=issued + timedelta(days=30),
                currency="USD",
                lines=[InvoiceLine(description="Water", fee_code="WATER", unit_amount=AMOUNT, amount=AMOUNT)],
                amount=AMOUNT,
                paid=paid,
                balance=AMOUNT - paid,
                status=invoice_status_for(AMOUNT, AMOUNT - paid),
            )
        )
    payments: list[Payment] = []
    allocations: list[Allocation] = []
    paid_invoices = made[: max(invoices - OPEN, 0)]
    for start in range(0, len(paid_invoices), PER_PAYMENT):
        group = paid_invoices[start : start + PER_PAYMENT]
        day = min(group[-1].issue_date + timedelta(days=5), today)
        payment = b.payment(
            customer_id,
            amount=AMOUNT * len(group),
            status=PaymentStatus.SETTLED,
            at=datetime(day.year, day.month, day.day, 15, tzinfo=UTC),
            receipt_number=f"R-{customer_id[4:]}-{start:07d}",
        )
        payments.append(payment)
        allocations += [
            Allocation(
                payment_id=payment.payment_id,
                invoice_id=inv.invoice_id,
                invoice_number=inv.invoice_number,
                customer_id=customer_id,
                account_number=inv.account_number,
                department=inv.department,
                amount=AMOUNT,
                currency="USD",
                applied_at=payment.created_at,
            )
            for inv in group
        ]
    records = DynamoCustomerRecords(table)
    records.put_new([b.customer(customer_id), account, *made, *payments, *allocations])
    # the whole history at once, as the local seed loads it: its balance checkpoints with it
    records.put_items(balance_checkpoints.items_for(customer_id, "USD", [*made, *payments], day=AgencyTime().day))
    return BuiltCustomer(customer_id, account.account_number, made, payments)
