from decimal import Decimal

import pytest

from arportal.domain.money import CurrencyMismatchError, Money, allocate, total


def test_money_refuses_floats_and_bad_currencies():
    with pytest.raises(TypeError):
        Money(12.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "USD")
    with pytest.raises(ValueError):
        Money(100, "usd")


def test_arithmetic_is_exact_and_currency_safe():
    assert Money(1050, "USD") + Money(25, "USD") == Money(1075, "USD")
    assert Money(1050, "USD") - Money(2000, "USD") == Money(-950, "USD")
    with pytest.raises(CurrencyMismatchError):
        _ = Money(1, "USD") + Money(1, "CAD")
    assert total([Money(1, "USD"), Money(2, "USD")], "USD") == Money(3, "USD")


def test_formatting_uses_the_currency_exponent():
    assert Money(1250, "USD").format() == "12.50 USD"
    assert Money(1250, "JPY").format() == "1250 JPY"
    assert Money(1250, "KWD").to_decimal() == Decimal("1.250")


def test_allocate_gives_leftover_cents_to_largest_remainders():
    # Given $1.00 split three ways, when allocated, then the parts are 34/33/33 and sum to the whole
    assert allocate(Money(100, "USD"), [1, 1, 1]) == [Money(34, "USD"), Money(33, "USD"), Money(33, "USD")]
    assert allocate(Money(-100, "USD"), [1, 1, 1]) == [Money(-34, "USD"), Money(-33, "USD"), Money(-33, "USD")]
    assert allocate(Money(5, "USD"), [0, 3]) == [Money(0, "USD"), Money(5, "USD")]


def test_allocate_rejects_meaningless_weights():
    with pytest.raises(ValueError):
        allocate(Money(100, "USD"), [])
    with pytest.raises(ValueError):
        allocate(Money(100, "USD"), [0, 0])
    with pytest.raises(ValueError):
        allocate(Money(100, "USD"), [2, -1])
