from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.money import Money, allocate

amounts = st.integers(min_value=-(10**12), max_value=10**12)
weights = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40).filter(lambda w: sum(w) > 0)


@given(amounts, weights)
def test_parts_always_sum_to_the_whole(minor, w):
    parts = allocate(Money(minor, "USD"), w)
    assert sum(p.minor for p in parts) == minor
    assert len(parts) == len(w)


@given(amounts, weights)
def test_each_part_is_within_one_minor_unit_of_its_exact_share(minor, w):
    parts = allocate(Money(minor, "USD"), w)
    for part, weight in zip(parts, w, strict=True):
        exact = minor * weight / sum(w)
        assert abs(part.minor - exact) < 1 + 1e-6


@given(amounts, weights)
def test_zero_weight_gets_nothing(minor, w):
    parts = allocate(Money(minor, "USD"), w)
    assert all(p.minor == 0 for p, weight in zip(parts, w, strict=True) if weight == 0)
