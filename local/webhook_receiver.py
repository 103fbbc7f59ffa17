"""A demo webhook receiver: checks each delivery's Standard Webhooks signature and prints it.

    python -m local.webhook_receiver --port 9009 --secret whsec_...        # the secret POST .../webhooks answered
    python -m local.webhook_receiver --port 9009 --public-key whpk_...     # or v1a: GET /v1/webhooks/signing-keys
    python -m local.webhook_receiver --port 9009 --secret whsec_... --status 503   # watch the retries instead

Register ``http://127.0.0.1:9009/`` as an endpoint (the console's Webhooks page, or
``POST /v1/integrations/webhooks``) while ``make dev`` runs: every event it subscribes to arrives here within a
second or so, and a repeated ``webhook-id`` (a retry whose answer was lost, a replay) is marked as such. A delivery
whose signature does not verify is answered 401 and printed as refused.

The check uses the receiver's own clock (five minutes either way, ``--tolerance``): a runtime started with
``--today`` in another year signs with that day's time, so give it a tolerance that covers the difference.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from arportal.domain.webhook_signing import TOLERANCE_S, WebhookVerificationError, verify


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local.webhook_receiver", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9009)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--secret", help="the endpoint's whsec_ secret (checks v1)")
    parser.add_argument("--public-key", help="the agency's whpk_ public key (checks v1a)")
    parser.add_argument("--status", type=int, default=200, help="answer every verified delivery with this status")
    parser.add_argument("--tolerance", type=int, default=TOLERANCE_S, help="seconds either way (default 300)")
    args = parser.parse_args(argv)
    if not args.secret and not args.public_key:
        parser.error("give --secret whsec_... or --public-key whpk_... (or both)")
    return args


def make_server(args: argparse.Namespace) -> ThreadingHTTPServer:
    seen: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = dict(self.headers.items())
            try:
                verify(
                    headers,
                    body,
                    now=int(time.time()),  # noqa: TID251 - the receiver is another system, on its own clock
                    hmac_secret=args.secret,
                    public_key=args.public_key,
                    tolerance_s=args.tolerance,
                )
            except WebhookVerificationError as exc:
                print(f"REFUSED  {self.headers.get('webhook-id', '?')}: {exc}", flush=True)
                self._answer(401)
                return
            msg_id = self.headers.get("webhook-id", "")  # names are case-insensitive here
            repeat = " (again)" if msg_id in seen else ""
            seen.add(msg_id)
            print(f"verified {msg_id}{repeat} -> {args.status}\n{_summary(body)}", flush=True)
            self._answer(args.status)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return ThreadingHTTPServer((args.host, args.port), Handler)


def _summary(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except ValueError:
        return f"  (not JSON: {len(body)} bytes)"
    return f"  {payload.get('type')} at {payload.get('timestamp')}\n  {json.dumps(payload.get('data'), sort_keys=True)}"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    server = make_server(args)
    print(f"webhook receiver on http://{args.host}:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
