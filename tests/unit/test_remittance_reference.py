"""The ISO 11649 creditor reference: the standard's own example, round trips, reading it out of free text, and the
check digits catching single changes and adjacent swaps."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.remittance_reference import (
    customer_for,
    find_references,
    formatted,
    is_valid,
    reference_for,
)

ids = st.text(alphabet=string.digits + string.ascii_uppercase, min_size=4, max_size=20).map(lambda b: f"CUS-{b}")


def test_the_standards_example():
    # ISO 11649's example: body 539007547034 has check digits 18.
    assert reference_for("CUS-539007547034") == "RF18539007547034"
    assert formatted("RF18539007547034") == "RF18 5390 0754 7034"
    assert customer_for("rf18 5390 0754 7034") == "CUS-539007547034"


@pytest.mark.parametrize("bad", ["RF19539007547034", "RF18539007547035", "RF1853900754703", "XX18539007547034", ""])
def test_a_reference_whose_check_fails_names_no_one(bad):
    assert customer_for(bad) is None


def test_a_valid_reference_that_is_not_a_customer_body_is_not_ours():
    body = "AB1"  # shorter than any customer id's body, valid ISO 11649 all the same
    ref = f"RF{98 - int(''.join(str(int(c, 36)) for c in body + 'RF00')) % 97:02d}{body}"
    assert is_valid(ref) and customer_for(ref) is None


def test_reference_for_refuses_what_is_not_a_customer_id():
    with pytest.raises(ValueError):
        reference_for("CUS-ab12")


@pytest.mark.parametrize(
    "text",
    [
        "Payment RF18539007547034 thanks",
        "payment rf18 5390 0754 7034 for march",
        "ref RF18 5390\n0754 7034\ninvoice 12",
        "REF:RF18539007547034,INV 12",
        "RF 18 5390 0754 7034",
    ],
)
def test_references_are_found_however_a_payer_types_them(text):
    assert find_references(text) == ["RF18539007547034"]


def test_every_valid_reading_is_given_longest_first():
    # RF18539007547034 followed by a word: only the reading whose check digits hold is given.
    assert find_references("RF18 5390 0754 7034 2024") == ["RF18539007547034"]
    assert find_references("RF18 539007547034 2024") == ["RF18539007547034"]  # a group not of four ends it


def test_text_without_a_valid_reference_gives_none():
    assert find_references("RF19 5390 0754 7034 and RF18 5390 0754 7035 and ARF18539007547034") == []
    assert find_references("RF18 5390\n\n0754 7034") == []  # a blank line ends a reference


@given(ids)
def test_every_reference_round_trips(customer_id):
    ref = reference_for(customer_id)
    assert customer_for(ref) == customer_id
    assert customer_for(formatted(ref).lower()) == customer_id
    # The longest valid reading first (a shorter one may hold too: leading zeros do not change the check).
    assert find_references(f"paid {formatted(ref)}. Thank you")[0] == ref
    assert ref in find_references(f"paid {formatted(ref)} thank you")  # "THANK" may make a longer valid one


def _same_class(a: str, b: str) -> bool:
    return a.isdigit() == b.isdigit()


@given(ids, st.data())
def test_a_change_of_one_character_is_caught(customer_id, data):
    ref = reference_for(customer_id)
    at = data.draw(st.integers(2, len(ref) - 1))
    alphabet = string.digits if ref[at].isdigit() else string.ascii_uppercase
    new = data.draw(st.sampled_from([c for c in alphabet if c != ref[at]]))
    assert customer_for(ref[:at] + new + ref[at + 1 :]) is None


@given(ids, st.data())
def test_a_swap_of_adjacent_characters_is_caught(customer_id, data):
    ref = reference_for(customer_id)
    swappable = [i for i in range(2, len(ref) - 1) if ref[i] != ref[i + 1] and _same_class(ref[i], ref[i + 1])]
    if not swappable:
        return
    i = data.draw(st.sampled_from(swappable))
    assert customer_for(ref[:i] + ref[i + 1] + ref[i] + ref[i + 2 :]) is None


def test_letter_digit_swaps_are_caught_but_for_the_three_the_standard_cannot_see():
    # A letter is two digits in the check's arithmetic, so "1B" and "B1" are both "111": the only blind spots.
    blind = {("1", "B"), ("2", "M"), ("3", "X")}
    for digit in string.digits:
        for letter in string.ascii_uppercase:
            ref = reference_for(f"CUS-7{digit}{letter}42")
            swapped = ref[:5] + letter + digit + ref[7:]
            assert (customer_for(swapped) is None) == ((digit, letter) not in blind), (digit, letter)
