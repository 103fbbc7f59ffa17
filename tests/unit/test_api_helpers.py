import csv
import io

import pytest

from arportal.api.csv_export import Column, money_cell, render_csv
from arportal.api.errors import ApiError
from arportal.api.pagination import decode_cursor, encode_cursor


def test_cursor_round_trip_and_binding_to_the_callers_partition():
    key = {"PK": {"S": "CUST#CUS-0001"}, "SK": {"S": "INV#inv_1"}}
    cursor = encode_cursor(key)
    assert cursor and decode_cursor(cursor, expected={"PK": "CUST#CUS-0001"}) == key
    with pytest.raises(ApiError) as err:
        decode_cursor(cursor, expected={"PK": "CUST#CUS-0002"})
    assert err.value.status == 400 and err.value.code == "invalid_cursor"
    for forged in ("not-base64!!", encode_cursor({"PK": "CUST#CUS-0001"}), "e30"):
        with pytest.raises(ApiError):
            decode_cursor(forged, expected={"PK": "CUST#CUS-0001"})
    assert encode_cursor(None) is None and decode_cursor(None, expected={}) is None


def test_csv_opens_in_a_spreadsheet():
    rows = [
        {"n": "INV-1", "who": 'Ana "Lopez", Jr.', "amt": 123456, "note": '=HYPERLINK("x")'},
        {"n": "INV-2", "who": "Zoë Ärger", "amt": -5, "note": "-5"},
    ]
    columns = [
        Column("Invoice", lambda r: r["n"]),
        Column("Customer", lambda r: r["who"]),
        Column("Amount", lambda r: money_cell(r["amt"], "USD")),
        Column("Currency", lambda r: "USD"),
        Column("Note", lambda r: r["note"]),
    ]
    data = render_csv(rows, columns)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == ["Invoice", "Customer", "Amount", "Currency", "Note"]
    assert parsed[1] == ["INV-1", 'Ana "Lopez", Jr.', "1234.56", "USD", '\'=HYPERLINK("x")']
    assert parsed[2] == ["INV-2", "Zoë Ärger", "-0.05", "USD", "-5"]
