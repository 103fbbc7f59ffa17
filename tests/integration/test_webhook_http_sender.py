"""The webhook sender against real sockets: receivers on 127.0.0.1 in threads (``webhook_http_support``), so what is
asserted is what went over the wire: the bytes and headers received, the redirect not followed, the deadline kept,
the huge answer left unread, and no connection at all where the address is not allowed."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook

from arportal.adapters.webhook_http import HttpWebhookSender
from arportal.domain.webhook_signing import new_secret, signed_headers
from arportal.domain.webhooks import RESPONSE_EXCERPT_BYTES, InvalidEndpointError
from tests.integration.webhook_http_support import Authority, receiver

BODY = b'{"type":"payment.posted","timestamp":"2030-01-02T03:04:05+00:00","data":{"payment_id":"PAY-1"}}'
PUBLIC = "93.184.215.14"  # never connected to: every test that resolves to it is refused before connecting


def _signed(secret: str | None = None) -> tuple[str, dict[str, str]]:
    secret = secret or new_secret()
    return secret, signed_headers("evt_01TESTSENDER", int(time.time()), BODY, [secret])


def _local(**kwargs: Any) -> HttpWebhookSender:
    return HttpWebhookSender(allow_private=True, allow_http=True, **kwargs)


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Iterator[list[str]] | list[str] | None], None]:
    """``resolver(name, answers)``: ``name`` resolves to ``answers`` (an iterator gives one answer per lookup; None
    does not resolve). Other names, and addresses, go to the real resolver."""
    real = socket.getaddrinfo
    table: dict[str, Iterator[list[str]] | list[str] | None] = {}

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in table:
            return real(host, port, *args, **kwargs)
        entry = table[host]
        if entry is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        ips = entry if isinstance(entry, list) else next(entry)
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        return [(family[6 if ":" in ip else 4], socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port)) for ip in ips]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table.__setitem__


class TestAnswers:
    def test_a_2xx_is_delivered_with_the_exact_bytes_and_headers(self) -> None:
        secret, headers = _signed()
        with receiver() as got:
            result = _local().send(f"http://127.0.0.1:{got.port}/ok?agency=7", headers, BODY)
        assert (result.status_code, result.error, result.delivered) == (200, None, True)
        assert result.response_excerpt == '{"received":true}'
        assert result.latency_ms >= 0
        (received,) = got.received
        assert received.path == "/ok?agency=7"
        assert received.body == BODY
        assert received.headers["host"] == f"127.0.0.1:{got.port}"
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature", "content-type"):
            assert received.headers[name] == headers[name]
        assert received.headers["content-length"] == str(len(BODY))
        assert Webhook(secret).verify(received.body, received.headers)["type"] == "payment.posted"

    def test_a_410_is_gone(self) -> None:
        with receiver() as got:
            result = _local().send(f"http://127.0.0.1:{got.port}/gone", _signed()[1], BODY)
        assert (result.status_code, result.gone, result.delivered) == (410, True, False)
        assert result.response_excerpt == "endpoint removed"

    def test_an_error_answer_is_kept_as_text(self) -> None:
        with receiver() as got:
            result = _local().send(f"http://127.0.0.1:{got.port}/error", _signed()[1], BODY)
        assert (result.status_code, result.delivered) == (500, False)
        assert "broken" in result.response_excerpt

    def test_a_redirect_fails_the_attempt_and_is_not_followed(self) -> None:
        with receiver() as got:
            result = _local().send(f"http://127.0.0.1:{got.port}/redirect", _signed()[1], BODY)
            time.sleep(0.2)
        assert (result.status_code, result.error, result.delivered) == (302, "redirect", False)
        assert got.paths() == ["/redirect"]

    def test_signatures_echoed_back_are_not_kept(self) -> None:
        _, headers = _signed()
        with receiver() as got:
            result = _local().send(f"http://127.0.0.1:{got.port}/echo", headers, BODY)
        assert result.delivered and "[redacted]" in result.response_excerpt
        signature = headers["webhook-signature"].removeprefix("v1,")
        assert signature[:12] not in result.response_excerpt


class TestBounds:
    def test_a_slow_receiver_times_out(self) -> None:
        with receiver() as got:
            started = time.monotonic()
            result = _local(timeout_s=0.5).send(f"http://127.0.0.1:{got.port}/slow", _signed()[1], BODY)
            elapsed = time.monotonic() - started
        assert (result.status_code, result.error, result.delivered) == (None, "timeout", False)
        assert elapsed < 1.5
        assert 400 <= result.latency_ms < 1500

    def test_an_answer_trickled_a_byte_at_a_time_still_ends_at_the_deadline(self) -> None:
        with receiver() as got:
            started = time.monotonic()
            result = _local(timeout_s=0.5).send(f"http://127.0.0.1:{got.port}/trickle", _signed()[1], BODY)
            elapsed = time.monotonic() - started
        assert (result.status_code, result.error) == (None, "timeout")
        assert elapsed < 1.5, "every read was quick; only the overall deadline stops this"

    def test_a_2_mb_answer_is_cut_to_the_excerpt_and_left_unread(self) -> None:
        with receiver() as got:
            started = time.monotonic()
            result = _local().send(f"http://127.0.0.1:{got.port}/huge", _signed()[1], BODY)
            elapsed = time.monotonic() - started
        assert (result.status_code, result.delivered) == (200, True)
        assert result.response_excerpt == "a" * RESPONSE_EXCERPT_BYTES
        assert elapsed < 2, "the receiver pauses 3 s after its first 64 KiB: reading it all would wait that out"

    def test_a_refused_connection_is_a_failed_attempt(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        result = _local().send(f"http://127.0.0.1:{port}/ok", _signed()[1], BODY)
        assert (result.status_code, result.error, result.delivered) == (None, "connection", False)


class TestAddresses:
    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
    def test_loopback_is_refused_at_registration_and_at_send_without_a_connection(self, host: str) -> None:
        sender = HttpWebhookSender(allow_private=False, allow_http=True)
        with receiver() as got:
            url = f"http://{host}:{got.port}/ok"
            with pytest.raises(InvalidEndpointError) as refused:
                sender.check_destination(url)
            result = sender.send(url, _signed()[1], BODY)
            time.sleep(0.2)
            assert got.connections == 0 and got.received == []
        assert refused.value.details == {"field": "url", "reason": "private_address"}
        assert (result.status_code, result.error, result.delivered) == (None, "address_not_allowed", False)

    def test_a_name_rebound_to_loopback_after_registration_is_refused_at_send(self, resolver: Any) -> None:
        sender = HttpWebhookSender(allow_private=False, allow_http=True)
        with receiver() as got:
            resolver("hooks.test", iter([[PUBLIC], ["127.0.0.1"]]))
            url = f"http://hooks.test:{got.port}/ok"
            sender.check_destination(url)  # public when registered
            result = sender.send(url, _signed()[1], BODY)
            time.sleep(0.2)
            assert got.connections == 0
        assert result.error == "address_not_allowed"

    def test_one_private_answer_among_public_ones_is_refused(self, resolver: Any) -> None:
        resolver("hooks.test", [PUBLIC, "169.254.169.254"])
        with pytest.raises(InvalidEndpointError) as refused:
            HttpWebhookSender().check_destination("https://hooks.test/in")
        assert refused.value.details == {"field": "url", "reason": "private_address"}

    def test_a_name_that_does_not_resolve(self, resolver: Any) -> None:
        resolver("nowhere.test", None)
        sender = HttpWebhookSender()
        with pytest.raises(InvalidEndpointError) as refused:
            sender.check_destination("https://nowhere.test/in")
        assert refused.value.details == {"field": "url", "reason": "unresolvable"}
        assert sender.send("https://nowhere.test/in", _signed()[1], BODY).error == "unresolvable"

    def test_the_shape_is_checked_first(self) -> None:
        with pytest.raises(InvalidEndpointError) as refused:
            HttpWebhookSender().check_destination("http://hooks.example.com/in")
        assert refused.value.details == {"field": "url", "reason": "not_https"}
        assert HttpWebhookSender().send("http://hooks.example.com/in", _signed()[1], BODY).error == "invalid_url"

    def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(self, resolver: Any) -> None:
        with receiver() as got:
            resolver("hooks.test", ["127.0.0.1"])
            result = _local().send(f"http://hooks.test:{got.port}/ok", _signed()[1], BODY)
        assert result.delivered
        assert got.received[0].headers["host"] == f"hooks.test:{got.port}"


class TestTls:
    def test_sni_and_the_certificate_are_for_the_name_not_the_address(self, resolver: Any, tmp_path: Path) -> None:
        authority = Authority.create(tmp_path)
        resolver("hooks.test", ["127.0.0.1"])
        sender = HttpWebhookSender(allow_private=True, ca_certs=str(authority.bundle))
        with receiver(authority.server_context(tmp_path, "hooks.test")) as got:
            result = sender.send(f"https://hooks.test:{got.port}/ok", _signed()[1], BODY)
        assert (result.status_code, result.error) == (200, None)
        assert got.server_names == ["hooks.test"]
        assert got.received[0].headers["host"] == f"hooks.test:{got.port}"

    def test_a_certificate_for_another_name_fails_the_attempt(self, resolver: Any, tmp_path: Path) -> None:
        authority = Authority.create(tmp_path)
        resolver("hooks.test", ["127.0.0.1"])
        sender = HttpWebhookSender(allow_private=True, ca_certs=str(authority.bundle))
        with receiver(authority.server_context(tmp_path, "other.test", "127.0.0.1")) as got:
            result = sender.send(f"https://hooks.test:{got.port}/ok", _signed()[1], BODY)
        assert (result.status_code, result.error, result.delivered) == (None, "tls", False)
        assert got.received == []

    def test_an_authority_not_trusted_fails_the_attempt(self, resolver: Any, tmp_path: Path) -> None:
        authority = Authority.create(tmp_path)
        resolver("hooks.test", ["127.0.0.1"])
        with receiver(authority.server_context(tmp_path, "hooks.test")) as got:
            result = HttpWebhookSender(allow_private=True).send(f"https://hooks.test:{got.port}/ok", _signed()[1], BODY)
        assert (result.status_code, result.error) == (None, "tls")
        assert got.received == []
