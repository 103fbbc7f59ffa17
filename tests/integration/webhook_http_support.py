"""Throwaway receivers for the webhook sender's tests: an HTTP(S) server on 127.0.0.1 in a thread, whose behaviour is
chosen by the request's path, and a certificate authority to give it a certificate for any name."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HUGE_BYTES = 2 * 1024 * 1024


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What reached the server: ``connections`` counts accepted TCP connections, whatever came of them."""

    port: int
    received: list[Received] = field(default_factory=list)
    connections: int = 0
    server_names: list[str | None] = field(default_factory=list)  # SNI, for TLS receivers
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        with self.lock:
            return [r.path for r in self.received]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.lock:
                receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            route = self.path.split("?")[0]
            with suppress(BrokenPipeError, ConnectionResetError):
                getattr(self, "_" + route.strip("/"), self._ok)()

        def _answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _ok(self) -> None:
            self._answer(200, b'{"received":true}')

        def _accepted(self) -> None:
            self._answer(202)

        def _gone(self) -> None:
            self._answer(410, b"endpoint removed")

        def _error(self) -> None:
            self._answer(500, b"\xff\xfe broken \xe2\x82")  # not UTF-8: the excerpt must still be text

        def _redirect(self) -> None:
            self._answer(302, b"moved", {"Location": f"http://127.0.0.1:{receiver.port}/ok"})

        def _echo(self) -> None:
            # A debugging receiver that shows the request back, signatures and all.
            self._answer(200, "\n".join(f"{k}: {v}" for k, v in self.headers.items()).encode())

        def _slow(self) -> None:
            time.sleep(2)
            self._ok()

        def _trickle(self) -> None:
            # The status line at once, then a header a byte at a time: each read is quick, the whole is endless.
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self.wfile.flush()
            for _ in range(40):
                self.wfile.write(b"X")
                self.wfile.flush()
                time.sleep(0.1)

        def _huge(self) -> None:
            # 64 KiB at once, then the rest after a pause: a sender that read it all would wait out the pause.
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(HUGE_BYTES))
            self.end_headers()
            self.wfile.write(b"a" * 65536)
            self.wfile.flush()
            time.sleep(3)
            self.wfile.write(b"b" * (HUGE_BYTES - 65536))

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver

    def verify_request(self, request: Any, client_address: Any) -> bool:
        with self.receiver.lock:
            self.receiver.connections += 1
        return True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up (the sender dropping a huge answer) is expected here


@contextmanager
def receiver(tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    server = _CountingServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    got = Receiver(port=server.server_address[1])
    server.receiver = got
    server.RequestHandlerClass = _handler(got)
    if tls is not None:
        tls.sni_callback = lambda sock, name, ctx: got.server_names.append(name)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass(frozen=True)
class Authority:
    """A throwaway CA: ``bundle`` is its certificate's path (the sender's ``ca_certs``)."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    bundle: Path

    @classmethod
    def create(cls, directory: Path) -> Authority:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "arportal test CA")])
        cert = (
            _builder(name, name, key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        bundle = directory / "ca.pem"
        bundle.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cls(key, cert, bundle)

    def server_context(self, directory: Path, *names: str) -> ssl.SSLContext:
        """A server-side TLS context with a certificate for ``names`` (DNS names or IP addresses)."""
        key = ec.generate_private_key(ec.SECP256R1())
        alternatives: list[x509.GeneralName] = []
        for n in names:
            try:
                alternatives.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                alternatives.append(x509.DNSName(n))
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
        cert = (
            _builder(subject, self.cert.subject, key.public_key())
            .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        cert_file, key_file = directory / f"{names[0]}.pem", directory / f"{names[0]}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        return context


def _builder(subject: x509.Name, issuer: x509.Name, public: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
    # OpenSSL checks validity against the machine's clock, not the session's travelled one.
    now = time_machine.escape_hatch.datetime.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
    )
