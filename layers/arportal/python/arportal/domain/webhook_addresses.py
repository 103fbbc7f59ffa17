"""Where a webhook may be sent: the shape of an endpoint's URL, and which IP addresses are outside the agency's own
network (SSRF: an admin who can register a URL must not be able to make the dispatcher call the instance metadata
service, a database in the VPC, or anything else not on the public internet).

The address rule is applied to every address the host resolves to, at registration and again at send time, on the
address actually connected to (``arportal/adapters/webhook_http.py``), so a name that resolved to a public address
when it was registered cannot be pointed at a private one later.

Pure: no I/O (resolving the name is the adapter's job).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

from arportal.domain.webhooks import MAX_URL_LENGTH, InvalidEndpointError

# Not private by Python's tables (so is_private misses them) yet not on the public internet either.
_SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # the well-known NAT64 prefix: the IPv4 address is in the low bits
_TEREDO = ipaddress.IPv6Network("2001::/32")

_REASONS = {
    "too_long": f"the URL is over {MAX_URL_LENGTH} bytes",
    "malformed": "the URL cannot be read",
    "not_https": "the URL must use https",
    "no_host": "the URL has no host",
    "userinfo": "the URL may not carry a user name or password",
    "fragment": "the URL may not have a #fragment",
    "bad_port": "the URL's port is not a port",
}


def _refuse(reason: str) -> InvalidEndpointError:
    return InvalidEndpointError(_REASONS[reason], details={"field": "url", "reason": reason})


def check_url_shape(url: str, *, allow_http: bool) -> SplitResult:
    """The URL split into its parts, or ``InvalidEndpointError`` (``details.reason``): ``too_long``, ``malformed``,
    ``not_https`` (plain http only when ``allow_http``: the local runtime), ``no_host``, ``userinfo``, ``fragment``
    or ``bad_port``."""
    if len(url.encode("utf-8")) > MAX_URL_LENGTH:
        raise _refuse("too_long")
    # urlsplit silently drops tabs and newlines: what is stored must be what is called.
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        raise _refuse("malformed")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unbalanced [ in an IPv6 host
        raise _refuse("malformed") from exc
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_http and scheme == "http"):
        raise _refuse("not_https")
    if "@" in parts.netloc:
        raise _refuse("userinfo")
    if not parts.hostname:
        raise _refuse("no_host")
    if parts.fragment or "#" in url:
        raise _refuse("fragment")
    try:
        parts.port  # noqa: B018 - reading it is the check: a port that is not a number or out of range raises
    except ValueError as exc:
        raise _refuse("bad_port") from exc
    return parts


def address_allowed(ip: str, *, allow_private: bool) -> bool:
    """Whether a delivery may connect to ``ip``: only to public unicast addresses, unless ``allow_private`` (the local
    runtime, whose receivers are on this machine). An address that cannot be read is never allowed."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return allow_private or _public(address)


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return _public(embedded)
        if address in _TEREDO:  # the tunnelled client address is obfuscated: nothing to check it against
            return False
        if address.scope_id:  # fe80::1%eth0 and kin: an interface-bound address is local by definition
            return False
    elif address in _SHARED_ADDRESS_SPACE:
        return False
    return (
        not (
            address.is_private
            or address.is_loopback
            or address.is_link_local  # 169.254.169.254, the instance metadata service, is one
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        )
        and address.is_global
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), judged by the IPv4 rules: ``::ffff:127.0.0.1``
    reaches the loopback interface just as ``127.0.0.1`` does."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
