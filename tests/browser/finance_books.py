"""The money trail the finance pages show (``test_console_finance.py``), made for real on a runtime of its own.

The trail needs days to pass (a card charge is paid out two banking days later, a payment is missing from the
processor's payouts a banking day after its deadline), and the runtime's clock only moves forward. Moving the
session's runtime would move every later test with it, so ``finance_runtime`` starts another one (as the browser
conftest starts the session's) and moves its clock. On banking day D: a card payment and an ACH debit
(``/v1/portal/payments``); on D+1 the journal job builds D's journal; on D+4 the bank settles the ACH debit (late:
past its deadline) and settlement runs: the card's payout is a deposit expected, the ACH debit a
``missing_from_processor`` item. A counter cash payment is taken on D+4 for a drawer to close.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from arportal.domain.banking_days import add_banking_days, is_banking_day
from tests.browser import data
from tests.browser.conftest import Portal, running_runtime

TERMINAL, DRAWER = "CTR-FIN", "DRW-FIN"


@dataclass
class Books:
    runtime: Portal
    day: date  # D: the banking day of the payments and of the journal
    card_payment: str
    ach_payment: str
    cash_payment: str
    cash_amount: int
    payout_id: str


def _move(runtime: Portal, day: date) -> None:
    status, body = runtime.api("POST", "/local/clock", json_body={"today": day.isoformat()})
    assert status == 200, body


def _job(runtime: Portal, name: str) -> dict[str, Any]:
    status, body = runtime.api("POST", f"/local/jobs/{name}")
    assert status == 200 and body["ok"], body
    return dict(body)


def _portal_payment(runtime: Portal, body: dict[str, Any]) -> dict[str, Any]:
    status, paid = runtime.api(
        "POST",
        "/v1/portal/payments",
        token=runtime.login(),
        json_body=body,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert status == 201, paid
    return dict(paid["payment"])


def _counter_cash(runtime: Portal, amount: int) -> str:
    invoice = data.an_invoice_owing(runtime, at_least=amount)
    body = {
        "customer_id": data.customer_id(runtime),
        "amount": amount,
        "currency": "USD",
        "method": "cash",
        "channel": "counter",
        "lines": [{"invoice_id": invoice["invoice_id"], "amount": amount}],
        "terminal_id": TERMINAL,
        "drawer_id": DRAWER,
    }
    status, taken = runtime.api(
        "POST",
        "/v1/staff/payments",
        token=runtime.login("agent@demo.local"),
        json_body=body,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert status == 201, taken
    return str(taken["payment"]["payment_id"])


@contextmanager
def finance_runtime(session_day: date) -> Iterator[Books]:
    """A runtime of its own, started on the session's day, with a card payout, an open reconciliation item, a
    day's journal and a drawer to close (see the module)."""
    with running_runtime(session_day, prefix="finance-runtime-") as runtime:
        yield _make_books(runtime)


def _make_books(runtime: Portal) -> Books:
    day = runtime.today
    while not is_banking_day(day):
        day += timedelta(days=1)
    _move(runtime, day)
    runtime.today = day
    invoice = data.an_invoice_owing(runtime, at_least=5_000)
    card = _portal_payment(
        runtime,
        {
            "amount": 3_000,
            "currency": "USD",
            "method": "card",
            "token": data.card_token(runtime),
            "account_number": invoice["account_number"],
        },
    )
    ach = _portal_payment(
        runtime,
        {
            "amount": 2_000,
            "currency": "USD",
            "method": "ach",
            "token": "tok_ach",
            "account_number": invoice["account_number"],
        },
    )
    _move(runtime, add_banking_days(day, 1))
    journal = _job(runtime, "journal")
    assert journal["result"]["business_date"] == day.isoformat(), journal
    # The ACH debit's deadline is D+4 (T+3 and a grace day): its bank settles it only then, so no payout has it
    late = add_banking_days(day, 4)
    _move(runtime, late)
    status, settled = runtime.api("POST", f"/sandbox/v1/ach/{ach['transaction_id']}/settle")
    assert status == 200, settled
    report = _job(runtime, "settlement")["result"]["report"]
    assert report["payouts_recorded"] >= 1 and report["missing_opened"] >= 1, report
    status, payouts = runtime.api("GET", "/v1/staff/finance/payouts", token=runtime.login("finance@demo.local"))
    assert status == 200 and payouts["payouts"], payouts
    cash_amount = 1_250
    cash = _counter_cash(runtime, cash_amount)
    runtime.today = late
    return Books(
        runtime, day, card["payment_id"], ach["payment_id"], cash, cash_amount, payouts["payouts"][0]["payout_id"]
    )
