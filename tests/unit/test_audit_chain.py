import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.audit_chain import GENESIS, Head, link, verify


def chain(n):
    records, prev = [], GENESIS
    for i in range(1, n + 1):
        r = link({"action": f"a{i}", "actor": "staff:x", "after": {"amount": i * 100}}, seq=i, prev_hash=prev)
        records.append(r)
        prev = r["hash"]
    return records, Head(n, prev)


def test_an_intact_chain_verifies():
    records, head = chain(5)
    assert verify(records, head).ok
    assert verify([], None).ok


@pytest.mark.parametrize(
    "tamper",
    [
        lambda rs, h: (rs[:2] + rs[3:], h),  # a record removed from the middle
        lambda rs, h: (rs[:-1], h),  # the last record removed
        lambda rs, h: ([rs[1], rs[0], *rs[2:]], h),  # reordered
        lambda rs, h: ([{**rs[0], "after": {"amount": 1}}, *rs[1:]], h),  # a field altered
        lambda rs, h: ([{**rs[0], "reason": "added later"}, *rs[1:]], h),  # a field added
        lambda rs, h: (rs, Head(h.seq - 1, rs[-2]["hash"])),  # the head rolled back
        lambda rs, h: (rs, None),  # the head removed
    ],
)
def test_any_tampering_is_detected(tamper):
    records, head = chain(4)
    forged, forged_head = tamper(records, head)
    result = verify(forged, forged_head)
    assert not result.ok and result.problems


@given(st.integers(1, 12), st.data())
def test_altering_any_single_record_is_detected(n, data):
    records, head = chain(n)
    index = data.draw(st.integers(0, n - 1))
    field = data.draw(st.sampled_from(["action", "actor", "seq", "prev_hash"]))
    altered = dict(records[index])
    altered[field] = f"{altered[field]}x" if isinstance(altered[field], str) else altered[field] + 1
    assert not verify([*records[:index], altered, *records[index + 1 :]], head).ok
