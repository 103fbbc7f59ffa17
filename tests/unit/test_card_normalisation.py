"""How a text is judged to hold a card number (arportal/domain/cards.py): normalised first (NFKC, every decimal
digit, invisible characters), then digit groups of 3 to 6 joined through any separators; and what must not trip
it: dates, times, timestamps, amounts, our ids, ULIDs, UUIDs and phone numbers."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from arportal.domain.cards import (
    card_number_paths,
    looks_like_card_number,
    luhn_valid,
    normalise,
    redact_card_numbers,
)
from arportal.domain.ids import new_id, new_reference
from tests.builders import NOW

VISA = "4954692227382654"  # Luhn-valid, as measured in the issue
AMEX = "378282246310005"


def _digits(number: str, base: int) -> str:
    return "".join(chr(base + int(d)) for d in number)


@pytest.mark.parametrize(
    "text",
    [
        "4954.6922.2738.2654",
        "4954  6922  2738  2654",
        "4954/6922/2738/2654",
        "4954_6922_2738_2654",
        "4954\n6922\n2738\n2654",
        "4954\r\n6922\r\n2738\r\n2654",
        "4954 - 6922 - 2738 - 2654",
        "4954\u00a06922\u00a02738\u00a02654",  # no-break spaces
        "4954\u30006922\u30002738\u30002654",  # ideographic spaces
        "4\u200b9\u200b5\u200b4\u200b6\u200b9\u200b2\u200b2\u200b2\u200b7\u200b3\u200b8\u200b2\u200b6\u200b5\u200b4",
        "4954\u200d6922\u20602738\ufeff2654",  # joiner, word joiner, BOM: invisible, so one run of digits
        "49\u00ad54 6922 2738 2654",  # a soft hyphen inside a group
        "4\u03019\u030154 6922 2738 2654",  # combining marks on digits
        _digits(VISA, 0xFF10),  # full-width
        _digits(VISA, 0x0660),  # Arabic-Indic
        _digits(VISA, 0x06F0),  # Extended Arabic-Indic (Persian)
        _digits(VISA, 0x0966),  # Devanagari
        _digits(VISA, 0x1D7CE),  # mathematical bold
        _digits("4954", 0x0660) + " " + _digits("6922", 0xFF10) + " 2738 " + _digits("2654", 0x0966),
        "4954.6922 2738/2654",  # mixed separators: the whole chain
        "ref 123: 4954.6922.2738.2654",  # a number before it, written another way
        "4954 6922 2738 2654 123",  # a CVC after it
        "pay 4954 6922 2738 2654 exp 12/30",
        "3782 822463 10005",  # Amex, 4-6-5
        "3782-8224-6310-005",
        "6011 0000 0000 0000 001",  # 19 digits, 4-4-4-4-3
        "pan4954692227382654",  # glued to a word that is not hexadecimal
        "card:4954692227382654",
        "\uff14\uff19\uff15\uff14\uff0d6922\uff0d2738\uff0d2654",  # full-width digits and hyphens
    ],
)
def test_card_numbers_are_recognised_however_they_are_written(text):
    assert looks_like_card_number(text), text


@pytest.mark.parametrize(
    "text",
    [
        # dates, times and timestamps: 1- and 2-digit fields never join
        "2026-12-02 12:00:00",
        "2026-12-02 12:00:00.123456",
        "2026-12-02T12:00:00.123456+00:00",
        "2026-12-02 12:00:00.123456 +0000",
        "02/12/2026 12:00:00",
        "12/02/2026 11:59:59 PM",
        "Wed, 02 Dec 2026 12:00:00 +0000",
        "2026.12.02 12.00.00",
        # amounts
        "$1,234,567.89",
        "9,999,999,999,999.99",
        "12 345 678,90 EUR",
        "1234567.89",
        # our ids and references, ULIDs, UUIDs
        "UT-200001",
        "UT-2026-00012",
        "inv_00000000000000000000000012",
        "tok_visa_4242",
        "01J9Z8X7Y6W5V4T3S2R1Q0P9N8",
        "550e8400-e29b-41d4-a716-446655440000",
        # phone numbers as people write them
        "+1 555 010 0000",
        "(555) 010-0000",
        "+44 20 7946 0958",
        "+86 138 0013 8000",
        # not card numbers: fails Luhn, too short, too long
        "4954692227382655",
        "4954 6922 2738 2655",
        "123456789012",
        "12345678901234567890123",
        "0af50512-1709-4984-bd0f-489d8edd22c0",  # a UUID's digits never join
        "0af5051217094984bd0f489d8edd22c0",
    ],
)
def test_dates_times_amounts_ids_and_phone_numbers_are_not(text):
    assert not looks_like_card_number(text), text


def test_every_day_and_time_of_a_year_in_the_usual_formats_passes():
    formats = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%d/%m/%Y %H:%M:%S", "%m-%d-%Y %H:%M", "%Y/%m/%d %H:%M:%S")
    for hours in range(0, 366 * 24, 7):
        moment = NOW + timedelta(hours=hours, seconds=hours * 37 % 60, microseconds=hours * 7919 % 1_000_000)
        for text in [moment.isoformat(), moment.isoformat(sep=" "), *(moment.strftime(f) for f in formats)]:
            assert not looks_like_card_number(text), text


def test_amounts_up_to_ten_trillion_in_any_usual_spelling_pass():
    for minor in [0, 1, 99, 100_000, 123_456_789, 10**13 - 1, 10**15 - 1, *range(10**12, 10**12 + 5000, 97)]:
        major, cents = divmod(minor, 100)
        for text in (f"{major:,}.{cents:02d}", f"{major}.{cents:02d}", f"{major:,}".replace(",", " "), str(minor)):
            assert not looks_like_card_number(text) or len(str(minor)) >= 13, text


def test_our_ids_never_look_like_card_numbers():
    ids = [new_id(prefix) for prefix in ("pay", "inv", "apr", "doc", "pm") for _ in range(400)]
    ids += [new_reference("R") for _ in range(400)]
    ids += [str(uuid.uuid4()) for _ in range(2000)] + [uuid.uuid4().hex for _ in range(2000)]
    assert [i for i in ids if looks_like_card_number(i)] == []


def test_normalise_folds_digits_and_drops_invisible_characters():
    assert normalise("plain ascii 4242") == "plain ascii 4242"
    assert normalise(_digits("0123456789", 0xFF10)) == "0123456789"
    assert normalise(_digits("0123456789", 0x0660)) == "0123456789"
    assert normalise("4\u200b2\u200c4\u200d2\u2060\ufeff\u00ad") == "4242"
    assert normalise("²③") == "23"
    assert normalise("café") == "café"  # letters stay letters


def test_redaction_removes_every_card_number_and_keeps_the_rest():
    text = "/v1/staff/customers/4954 6922 2738 2654/x?q=" + _digits(AMEX, 0xFF10) + "&limit=10"
    redacted = redact_card_numbers(text)
    assert redacted == "/v1/staff/customers/[card number removed]/x?q=[card number removed]&limit=10"
    assert not looks_like_card_number(redacted)
    assert redact_card_numbers("nothing here 2026-12-02") == "nothing here 2026-12-02"


def test_paths_name_keys_strings_and_numbers_but_never_repeat_a_number():
    body = {
        "note": "fine",
        "items": [{"memo": "4954.6922.2738.2654"}, {"x": 1}],
        VISA: "a key that is a card number",
        "n": int(VISA),
        "f": float(VISA),
        "big": 10**400,  # more than 19 digits: not a card number, and never turned into text
        "flag": True,
    }
    paths = sorted(card_number_paths(body))
    assert paths == ["<key>", "f", "items[0].memo", "n"]
    assert all(VISA not in p for p in paths)


def test_paths_walk_deep_values_without_recursion():
    deep: object = "4954 6922 2738 2654"
    for _ in range(5000):
        deep = [deep]
    assert list(card_number_paths(deep)) == ["[0]" * 5000]


def test_luhn():
    assert luhn_valid("79927398713") and luhn_valid(VISA) and luhn_valid(AMEX)
    assert not luhn_valid("79927398710")
