"""The journal's files (``domain/journal_files.py``): CSV header, detail and trailer, JSON, the same bytes each time."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date

from arportal.domain.journal_files import CSV_DETAIL_COLUMNS, journal_csv, journal_json, sha256
from arportal.domain.journal_movements import HeldCredit, PaymentPosted, ProcessorFee, RevenuePart
from arportal.domain.journals import Journal, build_journal, reversal_of
from arportal.domain.models import PaymentMethodType as M
from tests.journal_support import CHART

DAY = date(2026, 3, 12)
CASH_PAYMENT = PaymentPosted(
    "pay_2",
    "USD",
    M.CASH,
    parts=(RevenuePart("inv_p", "property_tax", "PT_INSTALMENT_1", 5_000),),
    credit=HeldCredit("property_tax", 250, "cn_9"),
)


def journal(*movements) -> Journal:
    return build_journal(
        movements, CHART, batch_id="GL-springfield-20260312-01", business_date=DAY, agency="springfield"
    )


def test_csv_has_a_header_the_detail_and_a_trailer_with_control_totals():
    data = journal_csv(journal(CASH_PAYMENT)).data
    assert data.decode() == (
        "H,GL-springfield-20260312-01,2026-03-12,springfield,USD,\r\n"
        "D,1,100,,1011,52.50,0.00,USD,payment,cash payment pay_2,pay_2,,,,,,\r\n"
        "D,2,100,property_tax,4110,0.00,50.00,USD,payment,payment: property_tax PT_INSTALMENT_1 on invoice inv_p,"
        "pay_2,inv_p,,,,,\r\n"
        "D,3,100,property_tax,2250,0.00,2.50,USD,payment,payment: credit held on a property_tax account,"
        "pay_2,,,,,cn_9,\r\n"
        "T,3,52.50,52.50\r\n"
    )
    detail = next(row for row in csv.reader(io.StringIO(data.decode())) if row[0] == "D")
    assert len(detail) == len(CSV_DETAIL_COLUMNS)


def test_each_currency_is_its_own_section_in_its_minor_unit():
    data = journal_csv(journal(ProcessorFee("po_1", "USD", M.CARD, 321), ProcessorFee("po_2", "JPY", M.CARD, 45)))
    rows = list(csv.reader(io.StringIO(data.data.decode())))
    assert [row[0] for row in rows] == ["H", "D", "D", "T", "H", "D", "D", "T"]
    assert (rows[0][4], rows[3]) == ("JPY", ["T", "2", "45", "45"])
    assert (rows[4][4], rows[7]) == ("USD", ["T", "2", "3.21", "3.21"])


def test_a_cell_that_would_start_a_formula_is_neutralised():
    sneaky = PaymentPosted("pay_3", "USD", M.CASH, parts=(RevenuePart("=HYPERLINK(1)", "property_tax", "FEE", 100),))
    rows = list(csv.reader(io.StringIO(journal_csv(journal(sneaky)).data.decode())))
    invoice_cells = [row[CSV_DETAIL_COLUMNS.index("invoice_id")] for row in rows if row[0] == "D"]
    assert "'=HYPERLINK(1)" in invoice_cells and "=HYPERLINK(1)" not in invoice_cells


def test_json_carries_minor_units_sources_and_totals_and_the_reversed_batch():
    original = journal(CASH_PAYMENT)
    document = json.loads(journal_json(original).data)
    assert document["lines"][1] == {
        "line": 2,
        "kind": "payment",
        "fund": "100",
        "department": "property_tax",
        "account": "4110",
        "debit": 0,
        "credit": 5_000,
        "currency": "USD",
        "memo": "payment: property_tax PT_INSTALMENT_1 on invoice inv_p",
        "source": {"payment_id": "pay_2", "invoice_id": "inv_p"},
    }
    assert document["totals"] == [{"currency": "USD", "records": 3, "debits": 5_250, "credits": 5_250}]
    assert document["reverses"] is None
    correction = json.loads(journal_json(reversal_of(original, batch_id="GL-springfield-20260312-02")).data)
    assert correction["reverses"] == "GL-springfield-20260312-01"
    assert correction["lines"][0]["credit"] == 5_250


def test_the_same_journal_gives_the_same_bytes_and_hash_and_a_different_one_does_not():
    first, again = journal(CASH_PAYMENT), journal(CASH_PAYMENT)
    for render in (journal_csv, journal_json):
        one, two = render(first), render(again)
        assert one.data == two.data and one.sha256 == two.sha256 == hashlib.sha256(one.data).hexdigest()
        assert render(reversal_of(first, batch_id="GL-springfield-20260312-02")).sha256 != one.sha256
    assert journal_csv(first).filename == "GL-springfield-20260312-01.csv"
    assert journal_json(first).content_type == "application/json"
    assert sha256(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
