import pytest

from arportal.domain.search import SearchKind, classify


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("CUS-000123", SearchKind.CUSTOMER_ID),
        ("cus-000123", SearchKind.CUSTOMER_ID),
        ("R-2611-7K3M9Q", SearchKind.RECEIPT_NUMBER),
        ("sbx_3Mtw0Ab12", SearchKind.TRANSACTION_ID),
        ("pi_3MtwBwLkdIwHu7ix28a3tqPa", SearchKind.TRANSACTION_ID),
        ("UT-200001", SearchKind.ACCOUNT_NUMBER),
        ("UT-2026-00042", SearchKind.INVOICE_NUMBER),
        ("Pat O'Brien", SearchKind.NAME),
    ],
)
def test_a_query_is_read_as_the_most_specific_key_it_could_be(query, first):
    assert classify(query)[0] is first


def test_ambiguous_keys_are_tried_as_every_kind_they_could_be():
    assert classify("UT-200001") == [SearchKind.ACCOUNT_NUMBER, SearchKind.INVOICE_NUMBER]
