"""What the browser tests read in the runtime's data, found or made through the API as the agency would make it.

Each test asks for what it needs at its start: an overdue invoice of the demo customer with enough left to pay,
credit that applies, a card token. When the demo data (generated for the session's day) or an earlier test has
left none, one is made: a staff adjustment puts a charge back on a paid invoice, an overpayment leaves credit on
an account. So every test passes alone and in any order, on any day, and its expected figures come from the API,
never from the calendar.

Adjustments are made by the demo supervisor and stay under the approval threshold (50_000), so they are done at
once instead of waiting in the approvals queue.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from tests.browser.conftest import Portal

SUPERVISOR = "supervisor@demo.local"
TEST_CARD = "4242424242424242"
MAX_AT_ONCE = 50_000  # an adjustment above this (the local runtime's approval threshold) waits for approval


def card_expiry(today: date) -> tuple[int, int]:
    """A test card's expiry: December of next year, so always valid, whatever the session's day."""
    return 12, today.year + 1


def card_expiry_text(today: date) -> str:
    """The same expiry as the card form takes it: ``MM/YY``."""
    month, year = card_expiry(today)
    return f"{month:02d}/{year % 100:02d}"


def card_token(portal: Portal, number: str = TEST_CARD) -> str:
    """A sandbox card token, as the secure card frame gets one (``POST /sandbox/v1/tokens``)."""
    month, year = card_expiry(portal.today)
    card = {"number": number, "exp_month": month, "exp_year": year, "cvc": "123"}
    status, body = portal.api("POST", "/sandbox/v1/tokens", json_body=card)
    assert status == 201, body
    return str(body["id"])


def get(portal: Portal, path: str, who: str = "customer@demo.local") -> Any:
    status, body = portal.api("GET", path, token=portal.login(who))
    assert status == 200, (path, body)
    return body


def dashboard(portal: Portal) -> dict[str, Any]:
    """The demo customer's overview, as the API answers it (``as_of`` is the runtime's day)."""
    return dict(get(portal, "/v1/portal/dashboard"))


def customer_id(portal: Portal) -> str:
    return str(get(portal, "/v1/portal/me")["customer_id"])


def invoices(portal: Portal, *statuses: str) -> list[dict[str, Any]]:
    """The demo customer's invoices in these statuses (all when none is named), newest due first."""
    query = "&".join(f"status={s}" for s in statuses)
    body = get(portal, f"/v1/portal/invoices?sort=-due_date&limit=100{'&' + query if query else ''}")
    return list(body["invoices"])


def payment_ids(portal: Portal) -> set[str]:
    """The ids of the demo customer's latest payments (newest first, so any made by the test are among them)."""
    return {p["payment_id"] for p in get(portal, "/v1/portal/payments?limit=100")["payments"]}


def adjust(portal: Portal, invoice: dict[str, Any], amount: int, note: str) -> None:
    """A supervisor's adjustment of ``amount`` on one of the demo customer's invoices (a charge when positive)."""
    assert 0 < abs(amount) <= MAX_AT_ONCE, amount
    body = {
        "customer_id": customer_id(portal),
        "invoice_id": invoice["invoice_id"],
        "kind": "adjustment",
        "amount": amount,
        "reason_code": "billing_error",
        "note": note,
    }
    status, done = portal.api(
        "POST",
        "/v1/staff/adjustments",
        token=portal.login(SUPERVISOR),
        json_body=body,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert status == 201 and done["status"] == "done", done


def pay(portal: Portal, amount: int, *, account_number: str) -> dict[str, Any]:
    """The demo customer pays ``amount`` on one account with the test card; any rest is held as credit on it."""
    body = {
        "amount": amount,
        "currency": dashboard(portal)["owing"]["currency"],
        "method": "card",
        "token": card_token(portal),
        "account_number": account_number,
    }
    status, paid = portal.api(
        "POST",
        "/v1/portal/payments",
        token=portal.login(),
        json_body=body,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert status == 201, paid
    return dict(paid)


def _owing_invoice(portal: Portal, at_least: int, *, overdue: bool) -> dict[str, Any] | None:
    for invoice in dashboard(portal)["open_invoices"]:
        if invoice["balance"]["amount"] >= at_least and (invoice["overdue"] or not overdue):
            return dict(invoice)
    return None


def an_overdue_invoice(portal: Portal, at_least: int) -> dict[str, Any]:
    """An overdue invoice of the demo customer with at least ``at_least`` left to pay (from the overview's list).

    When there is none, a charge put back on a paid invoice that was due before today makes one."""
    found = _owing_invoice(portal, at_least, overdue=True)
    if found is None:
        today = dashboard(portal)["as_of"]
        past_due = [i for i in invoices(portal, "paid") if i["due_date"] < today]
        assert past_due, "the demo customer has no paid invoice that was due before today"
        adjust(portal, past_due[0], max(at_least, 2_000), "Browser test: an overdue balance to pay")
        found = _owing_invoice(portal, at_least, overdue=True)
    assert found is not None
    return found


def an_invoice_owing(portal: Portal, at_least: int) -> dict[str, Any]:
    """An invoice of the demo customer with at least ``at_least`` left to pay, overdue or not."""
    found = _owing_invoice(portal, at_least, overdue=False)
    if found is None:
        adjust(portal, invoices(portal, "paid")[0], max(at_least, 2_000), "Browser test: a balance to pay")
        found = _owing_invoice(portal, at_least, overdue=False)
    assert found is not None
    return found


def credit_by_account(portal: Portal) -> dict[str, int]:
    """What the demo customer's credit notes still hold, per account."""
    held: dict[str, int] = {}
    cursor = ""
    while True:
        page = get(portal, f"/v1/portal/credit-notes?limit=100{'&cursor=' + cursor if cursor else ''}")
        for note in page["credit_notes"]:
            held[note["account_number"]] = held.get(note["account_number"], 0) + note["remaining"]["amount"]
        if not page["next_cursor"]:
            return held
        cursor = page["next_cursor"]


def applicable_credit(portal: Portal) -> int:
    """What applying the demo customer's credit would apply now: credit stays on its account, so per account
    the lesser of its credit and what it owes (``domain/credit.py``)."""
    held = credit_by_account(portal)
    accounts = dashboard(portal)["accounts"]
    return sum(min(held.get(a["account_number"], 0), a["owing"]["amount"]) for a in accounts)


def credit_that_applies(portal: Portal, *, credit: int = 2_500, then_owing: int = 4_000) -> str:
    """Credit on one of the demo customer's accounts that also owes more than it; the account's number.

    Made as it happens: the customer pays the account ``credit`` more than it owes (the rest is held as credit
    on it), then a new charge of ``then_owing`` is put on one of its invoices. The account is one with nothing
    overdue, so the overdue invoices other tests pay are left as they are."""
    accounts = sorted(dashboard(portal)["accounts"], key=lambda a: (a["overdue"]["amount"] > 0, a["account_number"]))
    account = accounts[0]
    pay(portal, account["owing"]["amount"] + credit, account_number=account["account_number"])
    mine = [i for i in invoices(portal) if i["account_number"] == account["account_number"]]
    assert mine, f"account {account['account_number']} has no invoice"
    adjust(portal, mine[0], then_owing, "Browser test: a new charge on an account holding credit")
    return str(account["account_number"])
