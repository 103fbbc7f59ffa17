"""Where a webhook may go: the URL's shape, and which addresses are off limits in a deployed stack (SSRF)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.webhook_addresses import address_allowed, check_url_shape
from arportal.domain.webhooks import MAX_URL_LENGTH, InvalidEndpointError


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/arportal",
        "https://hooks.example.com:8443/in?agency=7",
        "HTTPS://Hooks.Example.com",
        "https://[2606:4700:4700::1111]/x",
        "https://93.184.215.14/hook",
    ],
)
def test_a_url_that_may_be_used(url: str) -> None:
    parts = check_url_shape(url, allow_http=False)
    assert parts.hostname and parts.hostname == parts.hostname.lower()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/in", "not_https"),
        ("ftp://hooks.example.com/in", "not_https"),
        ("hooks.example.com/in", "not_https"),
        ("javascript:alert(1)", "not_https"),
        ("https:///in", "no_host"),
        ("https://:443/in", "no_host"),
        ("https://user:pass@hooks.example.com/in", "userinfo"),
        ("https://user@hooks.example.com/in", "userinfo"),
        ("https://hooks.example.com@169.254.169.254/", "userinfo"),
        ("https://hooks.example.com/in#part", "fragment"),
        ("https://hooks.example.com/in#", "fragment"),
        ("https://hooks.example.com:99999/in", "bad_port"),
        ("https://hooks.example.com:port/in", "bad_port"),
        ("https://[::1/in", "malformed"),
        ("https://hooks.example.com/a b", "malformed"),
        ("https://hooks.exa\tmple.com/", "malformed"),
        ("https://hooks.example.com/\n", "malformed"),
        ("https://hooks.example.com/" + "a" * MAX_URL_LENGTH, "too_long"),
    ],
)
def test_a_url_that_is_refused_says_why(url: str, reason: str) -> None:
    with pytest.raises(InvalidEndpointError) as refused:
        check_url_shape(url, allow_http=False)
    assert refused.value.details == {"field": "url", "reason": reason}
    assert refused.value.code == "invalid_endpoint"


def test_the_length_limit_is_in_bytes_and_inclusive() -> None:
    base = "https://hooks.example.com/"
    check_url_shape(base + "a" * (MAX_URL_LENGTH - len(base)), allow_http=False)
    with pytest.raises(InvalidEndpointError, match="over"):
        check_url_shape(base + "a" * (MAX_URL_LENGTH - len(base) + 1), allow_http=False)
    with pytest.raises(InvalidEndpointError, match="over"):  # two bytes each in UTF-8
        check_url_shape(base + "é" * ((MAX_URL_LENGTH - len(base)) // 2 + 1), allow_http=False)


def test_plain_http_only_where_allowed() -> None:
    assert check_url_shape("http://localhost:9000/hook", allow_http=True).port == 9000
    check_url_shape("https://localhost/hook", allow_http=True)
    with pytest.raises(InvalidEndpointError, match="https"):
        check_url_shape("ftp://localhost/hook", allow_http=True)


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",  # the instance metadata service
        "169.254.170.2",  # the ECS task metadata endpoint
        "100.64.0.1",  # carrier-grade NAT
        "100.127.255.254",
        "0.0.0.0",  # noqa: S104 - an address refused, not one bound to
        "0.1.2.3",
        "224.0.0.251",
        "239.255.255.250",
        "255.255.255.255",
        "240.0.0.1",
        "192.0.2.10",
        "198.18.0.1",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fd00:ec2::254",  # the instance metadata service over IPv6
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2001::1",  # Teredo
        "2001:db8::1",
        "not an address",
        "",
        "127.1",
    ],
)
def test_an_address_that_is_refused(ip: str) -> None:
    assert not address_allowed(ip, allow_private=False)


@pytest.mark.parametrize(
    "ip",
    [
        "93.184.215.14",
        "8.8.8.8",
        "1.1.1.1",
        "100.63.255.255",  # just below carrier-grade NAT
        "100.128.0.0",  # just above it
        "172.32.0.1",  # just above 172.16/12
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",
        "2002:808:808::1",  # 6to4 of 8.8.8.8
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    ],
)
def test_a_public_address_is_allowed(ip: str) -> None:
    assert address_allowed(ip, allow_private=False)


def test_the_local_runtime_may_reach_this_machine() -> None:
    for ip in ("127.0.0.1", "::1", "10.0.0.5", "169.254.169.254"):
        assert address_allowed(ip, allow_private=True)
    assert not address_allowed("localhost", allow_private=True), "a name is not an address"


_PRIVATE_V4 = [
    ipaddress.IPv4Network(n)
    for n in ("10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
]


@given(st.sampled_from(_PRIVATE_V4).flatmap(lambda net: st.integers(int(net[0]), int(net[-1]))))
def test_every_address_of_a_private_range_is_refused_in_every_spelling(value: int) -> None:
    v4 = ipaddress.IPv4Address(value)
    spellings = [str(v4), f"::ffff:{v4}", str(ipaddress.IPv6Address((0x2002 << 112) | (value << 80)))]
    for spelling in spellings:
        assert not address_allowed(spelling, allow_private=False), spelling
        assert address_allowed(spelling, allow_private=True), spelling


@given(st.integers(0, 2**32 - 1))
def test_an_ipv4_mapped_address_is_judged_as_the_ipv4_address(value: int) -> None:
    v4 = ipaddress.IPv4Address(value)
    assert address_allowed(f"::ffff:{v4}", allow_private=False) == address_allowed(str(v4), allow_private=False)


@given(st.integers(0, 2**32 - 1))
def test_an_allowed_ipv4_address_is_global(value: int) -> None:
    v4 = ipaddress.IPv4Address(value)
    if address_allowed(str(v4), allow_private=False):
        assert v4.is_global and not v4.is_multicast
        assert not any(v4 in net for net in _PRIVATE_V4)
