"""Paying by wire or bank transfer: which of the agency's accounts a payer is told about, with their reference, and
the statement PDF's box that says so (absent when the agency takes no wires or ACH credits)."""

from __future__ import annotations

from arportal.adapters.pdf.statement import render_statement_pdf
from arportal.domain.bank_accounts import BankAccount, Receives
from arportal.domain.payment_instructions import instructions_for, transfer_accounts
from arportal.domain.remittance_reference import customer_for
from tests import builders as b
from tests.unit.test_pdf_statement import _statement
from tests.unit.test_pdf_writer import parse_pdf


def _account(account_id: str, *receives: Receives, number: str = "4400123456", currency: str = "USD") -> BankAccount:
    return BankAccount(
        account_id=account_id,
        name=f"{account_id.title()} account",
        bank_name="First Bank of Springfield",
        account_number=number,
        routing_number="011000015",
        currency=currency,
        receives=frozenset(receives),
    )


OPERATING = _account("operating", Receives.PROCESSOR_PAYOUTS, Receives.WIRES)
CREDITS = _account("credits", Receives.ACH_CREDITS, number="4400555501")
LOCKBOX = _account("lockbox", Receives.LOCKBOX, number="4400987654")
EUROS = _account("euros", Receives.WIRES, number="DE89370400440532013000", currency="EUR")


def test_only_accounts_taking_wires_or_ach_credits_in_the_currency_are_named():
    accounts = (OPERATING, LOCKBOX, CREDITS, EUROS)
    assert transfer_accounts(accounts, "USD") == (OPERATING, CREDITS)
    assert transfer_accounts(accounts) == (OPERATING, CREDITS, EUROS)
    found = instructions_for(accounts, "CUS-8K2M4Q", "USD")
    assert found is not None
    assert found.accounts == (OPERATING, CREDITS)
    assert customer_for(found.reference) == "CUS-8K2M4Q"
    assert found.reference_display.replace(" ", "") == found.reference
    assert [len(g) for g in found.reference_display.split(" ")][:-1] == [4, 4]


def test_no_account_taking_them_means_no_instructions():
    assert instructions_for((LOCKBOX,), "CUS-8K2M4Q", "USD") is None
    assert instructions_for((EUROS,), "CUS-8K2M4Q", "USD") is None
    assert instructions_for((), "CUS-8K2M4Q") is None


def test_the_statement_pdf_says_how_to_pay_by_wire_with_the_reference():
    statement = _statement(5)
    customer = b.customer("CUS-0001", name="Ada Payer")
    transfer = instructions_for((OPERATING, LOCKBOX), "CUS-0001", "USD")
    assert transfer is not None
    text = parse_pdf(
        render_statement_pdf(statement, agency_name="Town of Riverside", customer=customer, bank_transfer=transfer)
    ).text
    assert "Pay by wire or bank transfer" in text
    assert f"Quote your reference: {transfer.reference_display}" in text
    assert "routing (ABA) 011000015" in text and "account 4400123456" in text
    assert "4400987654" not in text  # the lockbox account is not for payers
    plain = parse_pdf(render_statement_pdf(statement, agency_name="Town of Riverside", customer=customer)).text
    assert "Pay by wire" not in plain and "Activity" in plain
