"""The portal's list cursors: storage says which keys a list hands out (``adapters/dynamodb/portal_cursors``), the route
refuses any other cursor with a 400 (``portal_api.schemas_views.page_start``), and the format is unchanged."""

from __future__ import annotations

from datetime import date

import pytest

from arportal.adapters.dynamodb import portal_cursors as cursors
from arportal.api.errors import ApiError
from arportal.api.pagination import encode_cursor
from arportal.domain.invoice_views import DisplayStatus, InvoiceFilter, InvoiceSort
from portal_api.schemas_views import page_cursor, page_start

MINE, OTHER = "CUS-0001", "CUS-0002"


def _key(pk: str, sk: str) -> dict[str, dict[str, str]]:
    return {"PK": {"S": f"CUST#{pk}"}, "SK": {"S": sk}}


def test_a_list_resumes_only_inside_the_callers_partition_and_its_own_records():
    start = cursors.portal_list(MINE, "payments")
    mine = _key(MINE, "PAY#pay_1")
    assert page_start(page_cursor(mine), start) == mine
    assert page_start(None, start) is None
    for foreign in (_key(OTHER, "PAY#pay_1"), _key(MINE, "INV#inv_1"), {**mine, "GSI1PK": {"S": "x"}}):
        with pytest.raises(ApiError) as refused:
            page_start(encode_cursor(foreign), start)
        assert refused.value.status == 400 and refused.value.code == "invalid_cursor"
        assert refused.value.details == [{"field": "cursor", "reason": "not a cursor from this list"}]


def test_documents_and_saved_methods_check_the_partition_only():
    for listed in ("documents", "payment_methods"):
        start = cursors.portal_list(MINE, listed)
        assert page_start(encode_cursor(_key(MINE, "DOC#doc_1")), start) == _key(MINE, "DOC#doc_1")
        with pytest.raises(ApiError):
            page_start(encode_cursor(_key(OTHER, "DOC#doc_1")), start)


def test_the_invoice_list_resumes_after_a_date_and_an_invoice_in_the_same_ordering_and_filter():
    unpaid = InvoiceFilter(frozenset({DisplayStatus.OPEN, DisplayStatus.OVERDUE}))
    key = cursors.invoice_key(MINE, InvoiceSort.DUE_ASC, unpaid, ("2026-03-01", "inv_7"))
    assert {name: key[name] for name in ("PK", "SK", "O", "V")} == {
        "PK": {"S": f"CUST#{MINE}"},
        "SK": {"S": "INV#inv_7"},
        "O": {"S": InvoiceSort.DUE_ASC.value},
        "V": {"S": "2026-03-01"},
    }
    same_filter = InvoiceFilter(frozenset({DisplayStatus.OVERDUE, DisplayStatus.OPEN}))
    resumed = page_start(page_cursor(key), cursors.invoice_list(MINE, InvoiceSort.DUE_ASC, same_filter))
    assert resumed is not None and cursors.invoice_position(resumed) == ("2026-03-01", "inv_7")
    other_orderings = [sort for sort in InvoiceSort if sort is not InvoiceSort.DUE_ASC]
    other_filters = [
        InvoiceFilter(),
        InvoiceFilter(frozenset({DisplayStatus.OPEN})),
        InvoiceFilter(unpaid.statuses, account_number="ACC-1"),
        InvoiceFilter(unpaid.statuses, department="water"),
        InvoiceFilter(unpaid.statuses, issued_from=date(2026, 1, 1)),
        InvoiceFilter(unpaid.statuses, issued_to=date(2026, 1, 1)),
    ]
    not_a_date = {**key, "V": {"S": "soon"}}
    for cursor, start in [
        *((page_cursor(key), cursors.invoice_list(MINE, sort, unpaid)) for sort in other_orderings),
        *((page_cursor(key), cursors.invoice_list(MINE, InvoiceSort.DUE_ASC, where)) for where in other_filters),
        (page_cursor(key), cursors.invoice_list(OTHER, InvoiceSort.DUE_ASC, unpaid)),
        (page_cursor(not_a_date), cursors.invoice_list(MINE, InvoiceSort.DUE_ASC, unpaid)),
        (page_cursor(_key(MINE, "INV#inv_7")), cursors.invoice_list(MINE, InvoiceSort.DUE_ASC, unpaid)),
    ]:
        with pytest.raises(ApiError):
            page_start(cursor, start)
