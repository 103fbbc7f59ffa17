"""Sending one webhook attempt over HTTP(S), safely: the ``WebhookSender`` port.

The host is resolved here, every address it resolves to is checked (``arportal/domain/webhook_addresses.py``), and
the connection is made to the checked address itself. Letting the HTTP library resolve the name again would let a
DNS answer with a short TTL swap a public address for ``169.254.169.254`` between the check and the call (DNS
rebinding). TLS still runs against the real host name: it is sent as SNI and the certificate must match it.

One attempt is bounded as a whole: ``timeout_s`` from the start to the last byte kept, whatever the receiver does
(a slow connect, headers trickled a byte at a time, an endless body). Redirects are never followed: a 3xx is a
failed attempt. At most ``RESPONSE_EXCERPT_BYTES`` of the answer are read, then the connection is dropped, so a 2 MB
answer costs 4 KiB. Nothing here logs; header values (the signatures) never reach the excerpt either.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from urllib.parse import SplitResult

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import SSLError as Urllib3SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util.ssl_match_hostname import CertificateError

from arportal.domain.webhook_addresses import address_allowed, check_url_shape
from arportal.domain.webhooks import ATTEMPT_TIMEOUT_S, RESPONSE_EXCERPT_BYTES, InvalidEndpointError, SendResult

USER_AGENT = "arportal-webhooks/1 (+https://www.standardwebhooks.com)"
_MIN_REDACTED_TAIL = 8  # a cut-off signature at the excerpt's end is redacted down to this many characters


class _Refused(Exception):
    """The destination may not be called; ``error`` is the attempt's error."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class HttpWebhookSender:
    """``allow_private`` and ``allow_http`` are for the local runtime, whose receivers listen on this machine over
    plain HTTP; a deployed stack has neither. ``ca_certs`` replaces the system's trust store (tests)."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        allow_http: bool = False,
        timeout_s: float = ATTEMPT_TIMEOUT_S,
        ca_certs: str | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.allow_http = allow_http
        self.timeout_s = timeout_s
        self.ca_certs = ca_certs

    def check_destination(self, url: str) -> None:
        parts = check_url_shape(url, allow_http=self.allow_http)
        try:
            self._addresses(parts)
        except _Refused as refused:
            reason = "private_address" if refused.error == "address_not_allowed" else refused.error
            message = {
                "private_address": "the URL's host resolves to a private, loopback, link-local or reserved address",
                "unresolvable": "the URL's host does not resolve",
            }[reason]
            raise InvalidEndpointError(message, details={"field": "url", "reason": reason}) from None

    def send(self, url: str, headers: Mapping[str, str], body: bytes) -> SendResult:
        started = time.monotonic()
        deadline = started + self.timeout_s

        def result(status: int | None, error: str | None, excerpt: str = "") -> SendResult:
            latency_ms = int((time.monotonic() - started) * 1000)
            return SendResult(status_code=status, latency_ms=latency_ms, response_excerpt=excerpt, error=error)

        try:
            parts = check_url_shape(url, allow_http=self.allow_http)
        except InvalidEndpointError:
            return result(None, "invalid_url")
        try:
            addresses = self._addresses(parts)
        except _Refused as refused:
            return result(None, refused.error)
        outgoing = {k: v for k, v in headers.items() if k.lower() not in {"host", "content-length"}}
        outgoing["Host"] = parts.netloc  # no userinfo (refused by the shape check): exactly host[:port]
        outgoing.setdefault("user-agent", USER_AGENT)
        status, error, raw = self._post(parts, addresses, outgoing, body, deadline)
        if status is not None and 300 <= status < 400:
            error = "redirect"
        return result(status, error, _excerpt(raw, headers))

    def _addresses(self, parts: SplitResult) -> list[str]:
        """Every address the host resolves to, in the resolver's order; ``_Refused`` if any of them may not be
        called (one bad answer among good ones is how a rebinding attack hides) or there is none."""
        host = parts.hostname or ""
        try:
            infos = socket.getaddrinfo(host, _port(parts), proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            raise _Refused("unresolvable") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise _Refused("unresolvable")
        if not all(address_allowed(a, allow_private=self.allow_private) for a in addresses):
            raise _Refused("address_not_allowed")
        return addresses

    def _post(
        self, parts: SplitResult, addresses: list[str], headers: dict[str, str], body: bytes, deadline: float
    ) -> tuple[int | None, str | None, bytes]:
        """POSTs to the first address that takes the connection: (status, error, the answer's first bytes)."""
        error: str | None = "connection"
        for address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None, "timeout", b""
            conn = self._connection(parts, address, remaining)
            # The sockets' own timeouts bound each wait; this bounds their sum, so a receiver trickling its answer
            # a byte at a time cannot hold the dispatcher past the deadline.
            aborted = threading.Event()
            watchdog = threading.Timer(remaining, _abort, args=(conn, aborted))
            watchdog.daemon = True
            watchdog.start()
            try:
                conn.connect()
                # Not preloaded: urllib3 would otherwise read the whole answer (2 MB) before we see the status.
                conn.request(
                    "POST", _target(parts), body=body, headers=headers, preload_content=False, decode_content=False
                )
                response = conn.getresponse()
                if aborted.is_set():  # cut off mid-headers: http.client may still have made up a status
                    return None, "timeout", b""
                status = response.status
                try:
                    raw = response.read(RESPONSE_EXCERPT_BYTES, decode_content=False)
                except (HTTPError, http.client.HTTPException, OSError):
                    raw = b""  # the status is what counts; an answer cut short is still an answer
                return status, None, raw
            except NewConnectionError:
                error = "connection"  # refused or unreachable: the next address may take it
                continue
            except (Urllib3Timeout, TimeoutError):
                return None, "timeout", b""
            except (ssl.SSLError, Urllib3SSLError, CertificateError):
                return None, "tls", b""
            except (HTTPError, http.client.HTTPException, OSError):
                return None, "timeout" if time.monotonic() >= deadline else "connection", b""
            finally:
                watchdog.cancel()
                conn.close()
        return None, error, b""

    def _connection(self, parts: SplitResult, address: str, timeout: float) -> HTTPConnection:
        port = _port(parts)
        if parts.scheme.lower() == "http":
            return HTTPConnection(address, port, timeout=timeout)
        host = parts.hostname or ""
        return HTTPSConnection(
            address,
            port,
            timeout=timeout,
            server_hostname=host,  # SNI: the receiver's name, not the address connected to
            assert_hostname=host,  # and the certificate must be for that name
            cert_reqs="CERT_REQUIRED",
            ca_certs=self.ca_certs,
        )


def _abort(conn: HTTPConnection, aborted: threading.Event) -> None:
    aborted.set()
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing left to abort
            sock.shutdown(socket.SHUT_RDWR)


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme.lower() == "https" else 80)


def _target(parts: SplitResult) -> str:
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _excerpt(raw: bytes, sent_headers: Mapping[str, str]) -> str:
    """The answer's first bytes as text, at most ``RESPONSE_EXCERPT_BYTES`` of UTF-8, with anything we signed taken
    out: a receiver that echoes the request back must not put our signatures into the delivery log."""
    text = raw.decode("utf-8", errors="replace")
    signatures = [
        s.partition(",")[2]
        for name, value in sent_headers.items()
        if name.lower() == "webhook-signature"
        for s in value.split()
    ]
    for signature in filter(None, signatures):
        text = text.replace(signature, "[redacted]")
        for cut in range(len(signature) - 1, _MIN_REDACTED_TAIL - 1, -1):
            if text.endswith(signature[:cut]):
                text = text[:-cut] + "[redacted]"
                break
    while len(text.encode("utf-8")) > RESPONSE_EXCERPT_BYTES:
        text = text[:-1]
    return text
