"""The sandbox's tokenizer: test numbers in, tokens that carry their outcome out; anything invalid is refused
field by field, and the number itself never comes back in an answer."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.adapters.sandbox_cards import (
    KINDS,
    TEST_ACCOUNT_KINDS,
    TEST_CARD_KINDS,
    InvalidDetailsError,
    TokenInfo,
    aba_valid,
    brand_of,
    parse_token,
    tokenize,
)
from arportal.domain.cards import looks_like_card_number, luhn_valid

TODAY = date(2026, 11, 1)


def card(number: str = "4242424242424242", **changes: object) -> dict[str, object]:
    return {
        "number": number,
        "exp_month": 12,
        "exp_year": 2030,
        "cvc": "1234" if number[:2] in {"34", "37"} else "123",
    } | changes


def refused(body: object) -> list[dict[str, str]]:
    with pytest.raises(InvalidDetailsError) as caught:
        tokenize(body, today=TODAY)
    return caught.value.details


@pytest.mark.parametrize(("number", "kind"), sorted(TEST_CARD_KINDS.items()))
def test_every_test_card_becomes_a_token_of_its_kind(number, kind):
    token = tokenize(card(number), today=TODAY)
    info = parse_token(token.id)
    assert info == TokenInfo(kind, brand_of(number), number[-4:])
    assert (token.brand, token.last4, token.method) == (brand_of(number), number[-4:], KINDS[kind].method)
    assert number not in token.id


@pytest.mark.parametrize(("account", "kind"), sorted(TEST_ACCOUNT_KINDS.items()))
def test_every_test_bank_account_becomes_a_pending_ach_token(account, kind):
    token = tokenize({"routing_number": "110000000", "account_number": account}, today=TODAY)
    assert parse_token(token.id) == TokenInfo(kind, None, account[-4:])
    assert (token.brand, token.method) == (None, "ach")
    assert KINDS[kind].pending


def test_spaces_and_dashes_in_the_number_are_fine():
    assert tokenize(card("4242 4242-4242 4242"), today=TODAY).last4 == "4242"


def test_a_two_digit_year_is_this_century():
    assert tokenize(card(exp_year=30), today=TODAY).brand == "visa"


@pytest.mark.parametrize("wallet", ["apple_pay", "google_pay"])
def test_a_wallet_marks_a_succeeding_card_as_a_wallet_payment(wallet):
    assert tokenize(card(wallet=wallet), today=TODAY).method == "wallet"
    assert parse_token(tokenize(card("4000000000000002", wallet=wallet), today=TODAY).id).kind == "declined"


def test_tokens_differ_each_time():
    assert tokenize(card(), today=TODAY).id != tokenize(card(), today=TODAY).id


def test_a_token_never_looks_like_a_card_number_to_the_api():
    # The API refuses any Luhn-valid run of 13-19 digits; a token must never be taken for one.
    tokens = [tokenize(card(), today=TODAY).id for _ in range(2_000)]
    assert not any(looks_like_card_number(t) for t in tokens)
    assert all(re.fullmatch(r"tok_card_visa_4242_[a-z]{16}", t) for t in tokens)


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (card("4242424242424241"), "number", "not a valid card number"),
        (card("4111"), "number", "not a valid card number"),
        (card("4111111111111111"), "number", "not a sandbox test card (see docs/processors.md)"),
        (card(exp_month=13), "exp_month", "must be 1 to 12"),
        (card(exp_month=10, exp_year=2026), "exp_year", "the card has expired"),
        (card(exp_year=2099), "exp_year", "more than 20 years ahead"),
        (card(cvc="12"), "cvc", "must be 3 digits for this card"),
        (card("378282246310005", cvc="123"), "cvc", "must be 4 digits for this card"),
        (
            {"routing_number": "123456789", "account_number": "000123456789"},
            "routing_number",
            "not a valid ABA routing number",
        ),
        ({"routing_number": "110000000", "account_number": "12"}, "account_number", "must be 4 to 17 digits"),
        (
            {"routing_number": "110000000", "account_number": "987654321"},
            "account_number",
            "not a sandbox test account (see docs/processors.md)",
        ),
    ],
)
def test_invalid_details_are_refused_by_field(body, field, reason):
    assert {"field": field, "reason": reason} in refused(body)


def test_every_problem_is_reported_at_once():
    fields = {p["field"] for p in refused(card("4242424242424241", exp_month=0, cvc="x"))}
    assert fields == {"number", "exp_month", "cvc"}


def test_the_card_of_this_month_has_not_expired():
    assert tokenize(card(exp_month=11, exp_year=2026), today=TODAY).last4 == "4242"


@pytest.mark.parametrize(
    "body",
    [
        card(pan="4242424242424242"),  # an unknown field
        {"number": "4242424242424242"},  # fields missing
        card(exp_month="December"),
        "4242424242424242",
        ["4242424242424242"],
    ],
)
def test_malformed_bodies_are_refused_without_echoing_the_number(body):
    details = refused(body)
    assert details
    assert "4242424242424242" not in json.dumps(details)


@given(
    st.sampled_from(sorted(KINDS)),
    st.from_regex(r"[a-z]{3,10}", fullmatch=True),
    st.from_regex(r"[0-9]{4}", fullmatch=True),
)
def test_a_token_reads_back_as_what_it_was_made_of(kind, brand, last4):
    token = f"tok_{kind}_{brand}_{last4}_0123456789abcdef"
    assert parse_token(token) == TokenInfo(kind, None if brand == "bank" else brand, last4)


@given(st.from_regex(r"[0-9]{9}", fullmatch=True), st.integers(0, 8), st.integers(1, 9))
def test_changing_one_digit_of_a_routing_number_breaks_its_checksum(routing, position, delta):
    # The weights 3, 7, 1 are coprime with 10, so any single-digit change moves the sum off a multiple of 10.
    changed = routing[:position] + str((int(routing[position]) + delta) % 10) + routing[position + 1 :]
    assert not (aba_valid(routing) and aba_valid(changed))


@given(st.from_regex(r"[0-9]{15}", fullmatch=True))
def test_exactly_one_check_digit_completes_a_card_number(prefix):
    assert sum(luhn_valid(prefix + str(d)) for d in range(10)) == 1


def test_every_test_number_is_valid_and_known_routing_numbers_check_out():
    assert all(luhn_valid(n) for n in TEST_CARD_KINDS)
    assert aba_valid("110000000") and aba_valid("011000015") and not aba_valid("11000000")
