"""API Gateway REST (v1) proxy integration, both ways: an HTTP request -> the Lambda event, the Lambda result ->
the HTTP response. Field by field what API Gateway sends, so a handler cannot tell the local gateway from AWS.

And API Gateway's front door: ``HttpServer`` and ``HttpHandler``, the bases of the local gateway's HTTP server.
A burst of connections waits in a deep listen queue rather than being refused, and a client that does not send
a whole request in time (a short body against its Content-Length, a stalled upload, headers dribbled, nothing
at all) is cut off with a 408 instead of holding a thread for ever.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from arportal import clock
from infrastructure.catalog import RouteSpec

ACCOUNT_ID = "123456789012"
API_ID = "local"


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # path and query string, as on the request line
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    source_ip: str = "127.0.0.1"

    @property
    def path(self) -> str:
        return unquote(self.target.split("?", 1)[0])

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in reversed(self.headers) if k.lower() == lowered), None)


@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


def error_response(status: int, code: str, message: str, details: Any = None) -> Response:
    """The product's error shape, ``{"error": {"code", "message", "details"}}``, for the gateway's own answers."""
    body = json.dumps({"error": {"code": code, "message": message, "details": details}}).encode()
    return Response(status, [("Content-Type", "application/json")], body)


def json_response(status: int, payload: Any) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(payload).encode())


def resource_of(route: RouteSpec, path: str) -> tuple[str, dict[str, str] | None]:
    """The API Gateway resource a path matched, and its path parameters."""
    if path == route.path:
        return route.path, None
    return f"{route.path}/{{proxy+}}", {"proxy": path[len(route.path.rstrip("/")) + 1 :]}


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _body(raw: bytes) -> tuple[str | None, bool]:
    """Text bodies pass as strings; anything that is not UTF-8 is base64 (binary media types)."""
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode(), True


def build_event(
    request: Request, route: RouteSpec, *, stage: str, claims: dict[str, str] | None = None
) -> dict[str, Any]:
    path = request.path
    resource, path_parameters = resource_of(route, path)
    query = parse_qsl(request.query, keep_blank_values=True)
    headers = _multi(request.headers)
    body, is_base64 = _body(request.body)
    now = clock.timestamp()  # the local runtime's clock, moved or not, as every handler reads it
    request_context: dict[str, Any] = {
        "resourceId": API_ID,
        "resourcePath": resource,
        "httpMethod": request.method,
        "extendedRequestId": uuid.uuid4().hex[:16],
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "path": f"/{stage}{path}",
        "accountId": ACCOUNT_ID,
        "protocol": "HTTP/1.1",
        "stage": stage,
        "domainPrefix": API_ID,
        "requestTimeEpoch": int(now * 1000),
        "requestId": str(uuid.uuid4()),
        "identity": {
            "sourceIp": request.source_ip,
            "userAgent": request.header("User-Agent"),
            "accountId": None,
            "caller": None,
            "user": None,
            "userArn": None,
            "cognitoIdentityPoolId": None,
            "cognitoIdentityId": None,
            "cognitoAuthenticationType": None,
            "cognitoAuthenticationProvider": None,
            "accessKey": None,
            "apiKey": None,
            "apiKeyId": None,
        },
        "domainName": request.header("Host") or "localhost",
        "apiId": API_ID,
    }
    if claims is not None:
        request_context["authorizer"] = {"claims": claims}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": {k: v[-1] for k, v in headers.items()} or None,
        "multiValueHeaders": headers or None,
        "queryStringParameters": {k: v[-1] for k, v in _multi(query).items()} or None,
        "multiValueQueryStringParameters": _multi(query) or None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


def to_response(result: Any) -> Response:
    """A Lambda proxy result -> the HTTP response; anything else is a 502, as API Gateway answers it."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        return error_response(502, "bad_gateway", "the function returned a malformed proxy response")
    headers: list[tuple[str, str]] = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    single = {k.lower() for k, _ in headers}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if name.lower() in single:  # API Gateway: multiValueHeaders win over headers of the same name
            headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
        headers.extend((str(name), str(v)) for v in values)
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    return Response(int(result["statusCode"]), headers, body)


# --- the HTTP front door ----------------------------------------------------------------------------------

READ_TIMEOUT_SECONDS = 5.0
LISTEN_BACKLOG = 1024  # the kernel caps it (net.core.somaxconn: 4096 on current Linux, 128 on older ones)


class RequestTimeout(Exception):
    """The client did not send a whole request in time. Not a ``TimeoutError``: ``BaseHTTPRequestHandler``
    swallows those (it drops the connection silently), and ``HttpHandler`` answers this one with a 408."""


class _DeadlineReader(io.RawIOBase):
    """The request socket as a raw stream with a deadline for each request.

    Waiting for a request to start (a new or kept-alive connection) may take ``timeout`` seconds; once its first
    byte is in, the whole request (line, headers, body) must arrive within ``timeout`` seconds of it, however the
    client spreads it out. A per-read timeout alone would let a client sending a byte a second keep a thread.
    """

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        super().__init__()
        self.sock = sock
        self.timeout = timeout
        self.deadline: float | None = None
        self.received = 0

    def begin_request(self) -> None:
        self.deadline = None
        self.received = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.deadline is None:
            wait = self.timeout
        else:
            wait = self.deadline - time.monotonic()
            if wait <= 0:
                raise RequestTimeout
        self.sock.settimeout(wait)
        try:
            count = self.sock.recv_into(buffer)
        except TimeoutError as exc:
            raise RequestTimeout from exc
        finally:
            self.sock.settimeout(self.timeout)  # what writes get: each response write has ``timeout`` seconds
        if count and self.deadline is None:
            self.deadline = time.monotonic() + self.timeout
        self.received += count
        return count


class HttpServer(ThreadingHTTPServer):
    """A thread per connection, as ``ThreadingHTTPServer`` does: handlers run in-process and each thread stands
    for one Lambda container (``local/containers.py``), so a request never waits for a free worker behind a slow
    one. What bounds the threads is the read timeout: a connection that sends nothing useful ends after
    ``read_timeout`` seconds. ``request_queue_size`` is the listen backlog (socketserver's default is 5)."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True
    read_timeout: float = READ_TIMEOUT_SECONDS  # seconds; set it on the server before it serves (tests: 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._live_lock = threading.Lock()
        self._live = 0
        super().__init__(*args, **kwargs)

    @property
    def live_handlers(self) -> int:
        """Connections being served now: one thread each."""
        with self._live_lock:
            return self._live

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._live_lock:
            self._live += 1
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._handler_done()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._handler_done()

    def _handler_done(self) -> None:
        with self._live_lock:
            self._live -= 1


class HttpHandler(BaseHTTPRequestHandler):
    """Reads each request under the server's ``read_timeout`` (``_DeadlineReader``); a request that does not
    arrive in full in time gets a 408 ``request_timeout`` and the connection is closed. A connection that sends
    nothing at all is just closed, like an idle keep-alive one: a 408 there would be read as the answer to the
    client's next request."""

    server: HttpServer
    protocol_version = "HTTP/1.1"
    _reader: _DeadlineReader
    _responded = False

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the socket's own reader, unused: one that keeps the deadline replaces it
        self.connection.settimeout(self.server.read_timeout)  # for writes: a client that reads nothing times out
        self._reader = _DeadlineReader(self.connection, self.server.read_timeout)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        self._reader.begin_request()
        self._responded = False
        try:
            super().handle_one_request()
        except RequestTimeout:
            self.close_connection = True
            if self._reader.received and not self._responded:
                self._send_timeout()

    def send_response_only(self, code: int, message: str | None = None) -> None:
        self._responded = True
        super().send_response_only(code, message)

    def _send_timeout(self) -> None:
        seconds = self.server.read_timeout
        self.log_error("%s: no complete request within %gs (408)", self.client_address[0], seconds)
        response = error_response(
            408, "request_timeout", f"the request did not arrive in full within {seconds:g} seconds"
        )
        # Written whole, not with send_response: the request line may not have been read (nothing to log it by).
        lines = [
            "HTTP/1.1 408 Request Timeout",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
            *(f"{name}: {value}" for name, value in response.headers),
            f"Content-Length: {len(response.body)}",
            "Connection: close",
        ]
        with contextlib.suppress(OSError):  # the client is gone: nothing to tell it
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body)
