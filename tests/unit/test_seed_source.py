"""The demo agency as its systems send it (``local/seed_source.py``, ``local/seed_documents.py``): every record is
one the integration API takes, named as the batch service will name it, so the platform's history (payments,
credit applied) points at the invoices and credit notes the door creates."""

from __future__ import annotations

import base64
from datetime import date

from arportal.domain.models import Allocation, CreditNote, Invoice, SalesOrder
from arportal.domain.source_records import SourceDocument, SourceKind, SourceRecord, parse_record
from arportal.domain.upserts import entity_id_for
from local import seed_data, seed_documents
from local.seed_source import LOAD_ORDER, is_loaded

TODAY = date(2026, 5, 1)


def _parsed(kind: SourceKind, body: dict[str, object]) -> SourceRecord:
    record = parse_record(kind, body)
    assert not isinstance(record, list), (body, record)
    return record


def test_every_source_record_is_valid_in_load_order_and_named_as_the_door_names_it():
    data = seed_data.generate(3, today=TODAY, customers=25)
    source = data.source()

    kinds = [kind for kind, _ in source]
    assert kinds == sorted(kinds, key=LOAD_ORDER.index)
    ids = {(kind, _parsed(kind, body).source_id): entity_id_for(_parsed(kind, body)) for kind, body in source}
    assert len(ids) == len(source)  # no source id twice
    for record in data.records:
        if isinstance(record, Invoice):
            assert ids[(SourceKind.INVOICE, record.invoice_number)] == record.invoice_id
        elif isinstance(record, CreditNote):
            assert ids[(SourceKind.CREDIT_NOTE, record.number)] == record.credit_note_id
        elif isinstance(record, SalesOrder):
            assert ids[(SourceKind.SALES_ORDER, record.number)] == record.order_id
    loaded_invoices = {entity for (kind, _), entity in ids.items() if kind is SourceKind.INVOICE}
    allocations = [r for r in data.records if isinstance(r, Allocation)]
    assert allocations and {a.invoice_id for a in allocations} <= loaded_invoices


def test_the_source_holds_only_what_the_source_owns():
    data = seed_data.generate(3, today=TODAY, customers=25)
    invoices = [body for kind, body in data.source() if kind is SourceKind.INVOICE]
    assert invoices and not any({"paid", "credited", "balance", "invoice_id"} & set(body) for body in invoices)
    platform_types = {item.get("type") for item in data.platform_items()}
    assert {"payment", "allocation", "receipt"} <= platform_types
    assert not platform_types & {"customer", "account", "invoice", "credit_note", "sales_order"}
    assert not any(is_loaded(record) for record in data.records if isinstance(record, Allocation))
    assert all(isinstance(r, Invoice | CreditNote) for r in data.settled())


def test_two_seeds_never_share_a_number():
    def numbers(seed: int) -> set[str]:
        return {_parsed(k, b).source_id for k, b in seed_data.generate(seed, today=TODAY, customers=10).source()}

    customers_apart = {n for n in numbers(3) if not n.startswith("CUS-")}
    assert customers_apart and not customers_apart & numbers(5)


def test_the_agency_issues_annual_statements_and_the_demo_a_notice_as_real_pdfs():
    data = seed_data.generate(3, today=TODAY, customers=25)

    issued = seed_documents.documents(
        data.records, today=TODAY, agency_name="City of Springfield", demo_customer_id=data.demo_customer_id
    )

    documents = [_parsed(SourceKind.DOCUMENT, body) for body in issued]
    assert all(isinstance(d, SourceDocument) and d.content.startswith(b"%PDF-") for d in documents)
    statements = [d for d in documents if isinstance(d, SourceDocument) and d.kind == "tax_form"]
    demo = [d for d in documents if isinstance(d, SourceDocument) and d.customer_id == data.demo_customer_id]
    assert statements and {d.kind for d in demo} == {"tax_form", "notice"}
    assert {d.document_date for d in statements} == {date(2025, 10, 1)}  # the 2025 statements, both instalments due
    again = seed_documents.documents(
        data.records, today=TODAY, agency_name="City of Springfield", demo_customer_id=data.demo_customer_id
    )
    assert [base64.b64decode(str(b["content"])) for b in again] == [base64.b64decode(str(b["content"])) for b in issued]
