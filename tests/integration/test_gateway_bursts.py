"""The local gateway's HTTP front door (``local.apigw.HttpServer`` and ``HttpHandler``) against a real listening
``Gateway(local_env).serve()``: a burst of simultaneous connections all get answers (a deep listen backlog, not
socketserver's 5), and a slow or lying client is cut off after the read timeout instead of holding a thread.

The read timeout is set to ``READ_TIMEOUT_S`` so the slow-client tests take about a second each. Every wait is
for a condition, with a generous deadline (``WAIT_S``); nothing here is a performance budget.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from local.environment import LocalEnvironment
from local.gateway import Gateway, LocalHttpServer

BURST = 50
READ_TIMEOUT_S = 1.0
WAIT_S = 30.0  # a deadline for a condition to hold, far above what it takes even on a loaded machine
HEALTH = b"GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def health_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"status": "ok"}'}


@pytest.fixture
def server(local_env: LocalEnvironment) -> Iterator[LocalHttpServer]:
    server = Gateway(local_env, handlers={"public_api": health_handler}).serve("127.0.0.1", 0)
    server.read_timeout = READ_TIMEOUT_S
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _address(server: LocalHttpServer) -> tuple[str, int]:
    host, port = server.server_address[:2]
    return str(host), int(port)


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {WAIT_S:g}s for {what}")
        time.sleep(0.02)


def _read_to_end(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def _json_body(answer: bytes) -> Any:
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])


# --- bursts -----------------------------------------------------------------------------------------------


def test_fifty_simultaneous_connections_all_get_answers(server: LocalHttpServer) -> None:
    assert server.request_queue_size >= BURST  # the listen backlog: socketserver's default of 5 refuses bursts
    connect_together = threading.Barrier(BURST)
    all_open = threading.Barrier(BURST)  # every connection is open before any request is sent
    outcomes: list[bytes | BaseException | None] = [None] * BURST

    def client(index: int) -> None:
        try:
            connect_together.wait(timeout=WAIT_S)
            with socket.create_connection(_address(server), timeout=WAIT_S) as sock:
                # If another client failed to connect, its outcome says why; this one still asks.
                with contextlib.suppress(threading.BrokenBarrierError):
                    all_open.wait(timeout=WAIT_S)
                sock.sendall(HEALTH)
                outcomes[index] = _read_to_end(sock)
        except BaseException as exc:
            all_open.abort()
            outcomes[index] = exc

    clients = [threading.Thread(target=client, args=(i,), name=f"burst-client-{i}") for i in range(BURST)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=3 * WAIT_S)

    resets = [o for o in outcomes if isinstance(o, ConnectionResetError)]
    assert resets == []
    failures = [o for o in outcomes if not (isinstance(o, bytes) and _status(o) == 200)]
    assert failures == [], f"{BURST - len(failures)} of {BURST} answered; the others: {failures[:5]}"
    assert all(_json_body(o) == {"status": "ok"} for o in outcomes if isinstance(o, bytes))
    _wait_for(lambda: server.live_handlers == 0, "every handler thread of the burst to end")


def test_a_kept_alive_connection_still_serves_request_after_request(server: LocalHttpServer) -> None:
    connection = http.client.HTTPConnection(*_address(server), timeout=WAIT_S)
    try:
        connection.request("POST", "/local/login", body=b'{"username": 1}', headers={"Content-Type": "x"})
        first = connection.getresponse()
        assert first.status == 400 and json.loads(first.read())["error"]["code"] == "bad_request"
        connection.request("GET", "/v1/health")
        second = connection.getresponse()
        assert second.status == 200 and json.loads(second.read()) == {"status": "ok"}
    finally:
        connection.close()


# --- slow or lying clients --------------------------------------------------------------------------------


def _cut_off(server: LocalHttpServer, send: Callable[[socket.socket], None], *, reset_ok: bool = False) -> bytes:
    """Connects, lets ``send`` start the request, and returns what the server sent before it closed; then waits
    for the connection's handler thread to end. ``reset_ok``: a reset counts as cut off too (answer ``b""``)."""
    baseline = server.live_handlers
    with socket.create_connection(_address(server), timeout=WAIT_S) as sock:
        send(sock)
        _wait_for(lambda: server.live_handlers == baseline + 1, "the server to take the connection")
        try:
            answer = _read_to_end(sock)  # ends when the server closes the connection
        except ConnectionResetError:
            if not reset_ok:
                raise
            answer = b""
    _wait_for(lambda: server.live_handlers == baseline, "the handler thread to end")
    return answer


def test_a_body_shorter_than_its_content_length_gets_a_408_and_frees_its_thread(server: LocalHttpServer) -> None:
    def short_body(sock: socket.socket) -> None:
        sock.sendall(b"POST /local/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789")

    answer = _cut_off(server, short_body)

    assert _status(answer) == 408 and b"\r\nConnection: close\r\n" in answer
    error = _json_body(answer)["error"]
    assert error["code"] == "request_timeout" and f"{READ_TIMEOUT_S:g} seconds" in error["message"]


def test_a_client_that_sends_nothing_is_closed_without_an_answer(server: LocalHttpServer) -> None:
    assert _cut_off(server, lambda sock: None) == b""


def test_headers_dribbled_byte_by_byte_do_not_hold_a_thread(server: LocalHttpServer) -> None:
    stop = threading.Event()

    def dribble(sock: socket.socket) -> None:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nX-Slow: ")

        def keep_sending() -> None:
            while not stop.wait(0.05):  # a byte every 50 ms: no single read ever waits the read timeout
                try:
                    sock.sendall(b"a")
                except OSError:
                    return

        threading.Thread(target=keep_sending, name="dribbler", daemon=True).start()

    try:
        # The server may close with a dribbled byte unread, which resets the connection: cut off all the same.
        answer = _cut_off(server, dribble, reset_ok=True)
    finally:
        stop.set()

    assert answer == b"" or _status(answer) == 408
