import pytest

from arportal.domain.cards import card_number_paths, looks_like_card_number, luhn_valid


@pytest.mark.parametrize(
    "text",
    ["4242424242424242", "4242 4242 4242 4242", "4000-0566-5566-5556", "378282246310005", "pay 5555555555554444 now"],
)
def test_card_numbers_are_recognised(text):
    assert looks_like_card_number(text)


@pytest.mark.parametrize(
    "text", ["4242424242424241", "123456789012", "UT-200001", "2026-11-22", "tok_visa_4242", "12345678901234567890123"]
)
def test_other_numbers_are_not(text):
    assert not looks_like_card_number(text)


def test_paths_name_every_offending_field_including_integers():
    body = {"amount": 100, "note": "ok", "method": {"pan": 4242424242424242}, "items": [{"x": "4111111111111111"}]}
    assert sorted(card_number_paths(body)) == ["items[0].x", "method.pan"]


def test_luhn():
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
