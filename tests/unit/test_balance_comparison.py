"""Comparing a back end's invoice balances with the platform's: only the differences, and what it does not know."""

from __future__ import annotations

from arportal.domain.balance_comparison import TheirBalance, compare, invoice_key, owed
from arportal.domain.models import Invoice
from arportal.domain.source_identity import entity_id_for, invoice_id_for
from arportal.domain.source_records import SourceKind, parse_record
from arportal.domain.status import InvoiceStatus
from tests import builders as b
from tests import source_records_support as s

CID, ACCT = "CUS-7QK2M9", "UT-200417"


def loaded(number: str, *, amount: int = 10_000, paid: int = 0, voided: bool = False) -> Invoice:
    invoice = b.invoice(CID, ACCT, amount=amount, paid=paid, number=number)
    update: dict[str, object] = {"invoice_id": invoice_id_for(number)}
    if voided:
        update |= {"voided": True, "status": InvoiceStatus.VOIDED}
    return invoice.model_copy(update=update)


def test_the_invoice_a_back_end_names_is_the_one_its_number_loaded():
    record = parse_record(SourceKind.INVOICE, s.invoice(CID, ACCT, "UT2604-00017"))
    assert not isinstance(record, list)
    assert invoice_id_for("UT2604-00017") == entity_id_for(record)
    assert invoice_key(TheirBalance(CID, "UT2604-00017", 1, "USD")) == (CID, entity_id_for(record))


def test_only_differences_and_unknown_invoices_are_answered_in_the_order_sent():
    same, paid_here, voided, other_currency = (
        loaded("UT-0001"),
        loaded("UT-0002", paid=10_000),
        loaded("UT-0003", voided=True),
        loaded("UT-0004"),
    )
    ours = {
        invoice_key(TheirBalance(CID, i.invoice_number, 0, "USD")): i for i in (same, paid_here, voided, other_currency)
    }
    theirs = [
        TheirBalance(CID, "UT-0001", 10_000, "USD"),
        TheirBalance(CID, "UT-0002", 10_000, "USD"),
        TheirBalance(CID, "UT-0009", 500, "USD"),
        TheirBalance(CID, "UT-0003", 10_000, "USD"),
        TheirBalance(CID, "UT-0004", 10_000, "CAD"),
        TheirBalance("CUS-OTHER1", "UT-0001", 10_000, "USD"),
    ]
    result = compare(theirs, ours)
    assert [(d.invoice_number, d.theirs, d.ours, d.status, d.reason) for d in result.differences] == [
        ("UT-0002", 10_000, 0, "paid", "balance"),
        ("UT-0003", 10_000, 0, "voided", "balance"),
        ("UT-0004", 10_000, 10_000, "open", "currency"),
    ]
    assert [(u.customer_id, u.invoice_number) for u in result.unknown] == [(CID, "UT-0009"), ("CUS-OTHER1", "UT-0001")]
    assert result.compared == 6


def test_a_voided_invoice_owes_nothing():
    assert owed(loaded("UT-0005", voided=True)) == 0
    assert owed(loaded("UT-0006", amount=700, paid=200)) == 500
