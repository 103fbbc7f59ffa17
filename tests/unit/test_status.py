import pytest

from arportal.domain.status import (
    PAYMENT_TRANSITIONS,
    InvalidTransitionError,
    InvoiceStatus,
    PaymentStatus,
    invoice_status_for,
    is_final,
    transition_invoice,
    transition_payment,
)

P = PaymentStatus


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (P.PENDING, P.POSTED),
        (P.AUTHORIZED, P.POSTED),
        (P.POSTED, P.SETTLED),
        (P.POSTED, P.VOIDED),
        (P.SETTLED, P.REVERSED),
        (P.SETTLED, P.REFUNDED),
        (P.PENDING, P.FAILED),
    ],
)
def test_allowed_payment_moves(current, target):
    assert transition_payment(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (P.SETTLED, P.VOIDED),
        (P.FAILED, P.POSTED),
        (P.REFUNDED, P.POSTED),
        (P.PENDING, P.SETTLED),
        (P.VOIDED, P.POSTED),
        (P.POSTED, P.PENDING),
    ],
)
def test_forbidden_payment_moves(current, target):
    with pytest.raises(InvalidTransitionError) as err:
        transition_payment(current, target)
    assert current.value in str(err.value) and target.value in str(err.value)


def test_every_status_has_a_row_and_final_statuses_lead_nowhere():
    assert set(PAYMENT_TRANSITIONS) == set(PaymentStatus)
    assert {s for s in PaymentStatus if is_final(s)} == {P.FAILED, P.REFUNDED, P.VOIDED, P.REVERSED}


def test_invoice_status_follows_its_figures():
    assert invoice_status_for(100, 100) is InvoiceStatus.OPEN
    assert invoice_status_for(100, 40) is InvoiceStatus.PARTIALLY_PAID
    assert invoice_status_for(100, 0) is InvoiceStatus.PAID
    assert invoice_status_for(100, 0, voided=True) is InvoiceStatus.VOIDED
    assert transition_invoice(InvoiceStatus.PAID, InvoiceStatus.OPEN) is InvoiceStatus.OPEN
    with pytest.raises(InvalidTransitionError):
        transition_invoice(InvoiceStatus.VOIDED, InvoiceStatus.OPEN)
