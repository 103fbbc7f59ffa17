import pytest

from arportal.domain.errors import NotFoundError
from arportal.domain.search import SearchKind
from arportal.services import customers, search
from tests import builders as b
from tests.fakes import InMemoryCustomerRecords


@pytest.fixture
def ledger():
    led = InMemoryCustomerRecords()
    c = b.customer("CUS-000777", name="Dana Whitfield")
    acct = b.account(c.customer_id, number="UT-209999")
    inv = b.invoice(c.customer_id, acct.account_number, number="UT-2026-77777")
    pay = b.payment(c.customer_id, transaction_id="sbx_abcdef123", receipt_number="R-2611-ABCDEF")
    led.put_new([c, acct, inv, pay, b.receipt(pay, "R-2611-ABCDEF")])
    return led


def test_dashboard_reads_twice_and_refuses_unknown_customers(ledger):
    board = customers.dashboard(ledger, "CUS-000777", today=b.TODAY, currency="USD")
    assert board.owing == 10_000 and ledger.reads == 2
    with pytest.raises(NotFoundError):
        customers.dashboard(ledger, "CUS-999999", today=b.TODAY, currency="USD")


@pytest.mark.parametrize(
    ("query", "entity_type"),
    [
        ("CUS-000777", "customer"),
        ("UT-209999", "account"),
        ("UT-2026-77777", "invoice"),
        ("R-2611-ABCDEF", "receipt"),
        ("sbx_abcdef123", "transaction"),
    ],
)
def test_search_finds_each_key_with_its_customer_in_two_reads(ledger, query, entity_type):
    result = search.search(ledger, query)
    assert [m.hit.entity_type for m in result.matches] == [entity_type]
    match = result.matches[0]
    assert match.customer is not None and match.customer.name == "Dana Whitfield"
    if entity_type in {"receipt", "transaction"}:
        assert match.payment is not None and match.payment["status"] == "posted"
    assert ledger.reads <= 2


def test_search_with_no_hit_reads_once(ledger):
    result = search.search(ledger, "UT-2026-00000", kind=SearchKind.INVOICE_NUMBER)
    assert result.matches == [] and ledger.reads == 1
