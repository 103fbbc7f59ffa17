"""The deposit slip PDF (``adapters/pdf/deposit_slip.py``): a well-formed file with the agency, date, terminal and
drawer, each cheque with its number and amount, the cash, the total, the batch id and who prepared it."""

from __future__ import annotations

from datetime import timedelta

from arportal.adapters.pdf.deposit_slip import PdfDepositSlipRenderer
from arportal.domain.agency_time import AgencyTime
from arportal.domain.drawer_close import ChequeCounted, DrawerClose, TakenPayment
from tests import builders as b
from tests.unit.test_receipt_pdf import structure


def _close(cheques: tuple[ChequeCounted, ...], cash: int) -> DrawerClose:
    cheque_total = sum(c.amount for c in cheques)
    payments = tuple(
        TakenPayment(f"pay_{k:026d}", "cheque", c.amount, c.number, b.NOW - timedelta(minutes=k))
        for k, c in enumerate(cheques)
    )
    return DrawerClose(
        deposit_id="dep_01JD3ABCDEFGHJKMNPQRSTVWXY", terminal_id="T1", drawer_id="D1", currency="USD",
        period_from=None, through=b.NOW, business_date=b.NOW.date(),
        expected={"cash": cash + 500, "cheque": cheque_total}, counted={"cash": cash, "cheque": cheque_total},
        over_short={"cash": -500, "cheque": 0}, payments=payments, cheques=cheques, note="short 5.00",
        closed_by="staff:cashier-7", closed_at=b.NOW,
    )  # fmt: skip


def test_the_slip_shows_what_the_bank_needs():
    close = _close((ChequeCounted(12_345, "004512"), ChequeCounted(1_000, None)), cash=4_500)
    pages, text = structure(
        PdfDepositSlipRenderer().render(close, agency_name="City of Springfield", bank_account=None)
    )
    assert pages == 1
    for shown in (
        b"City of Springfield",
        b"Deposit slip",
        b"dep_01JD3ABCDEFGHJKMNPQRSTVWXY",
        AgencyTime().date_text(b.NOW.date()).encode(),
        AgencyTime().moment_text(b.NOW).encode(),
        b"T1 / D1",
        b"004512",
        b"123.45 USD",
        b"no number",
        b"10.00 USD",
        b"133.45 USD",  # the cheques
        b"45.00 USD",  # the cash
        b"178.45 USD",  # the deposit
        b"Prepared by staff:cashier-7",
    ):
        assert shown in text, shown


def test_many_cheques_flow_onto_numbered_pages_each_listed():
    cheques = tuple(ChequeCounted(1_000 + k, f"{900000 + k}") for k in range(90))
    pages, text = structure(PdfDepositSlipRenderer().render(_close(cheques, 0), agency_name="A", bank_account="12-34"))
    assert pages >= 2 and f"Page {pages} of {pages}".encode() in text
    assert all(f"{900000 + k}".encode() in text for k in range(90))
    assert b"12-34" in text and f"{sum(c.amount for c in cheques) / 100:,.2f} USD".encode() in text
