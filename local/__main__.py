"""``python -m local``: the whole product in one process (what ``make dev`` runs).

    python -m local [--port 8000] [--host 127.0.0.1] [--seed 42] [--no-seed] [--today YYYY-MM-DD]

The ``PORT`` environment variable sets the default port. Ctrl-C or SIGTERM stops it cleanly (exit 0).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future
from datetime import date
from types import FrameType
from typing import TYPE_CHECKING, Any

_started = time.perf_counter()  # before the heavy imports: "ready in" counts them too

from arportal import clock  # noqa: E402
from local import time_travel  # noqa: E402

if TYPE_CHECKING:
    from local.environment import LocalEnvironment
    from local.gateway import LocalHttpServer
    from local.seed import SeedSummary

DEV_MAX_WAIT_S = 5  # Wait states and retry intervals of days take at most this long locally
# Webhook retries at 1/100 of the real schedule: 5 s, 5 min, 30 min, 2 h... become 0.05 s, 3 s, 18 s, 72 s...
DEV_WEBHOOK_RETRY_SCALE = 0.01


def _day(text: str) -> date:
    try:
        return time_travel.parse_day(text)
    except time_travel.BadMove as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", type=int, default=42, help="demo data seed (same seed and date, same data)")
    parser.add_argument("--no-seed", action="store_true", help="start with empty tables and no demo logins")
    parser.add_argument("--today", type=_day, metavar="YYYY-MM-DD", help="run as if today were that day")
    parser.add_argument("--customers", type=int, default=None, help=argparse.SUPPRESS)  # the seed's default
    return parser.parse_args(argv)


class _Stop(BaseException):
    """A stop signal during start-up. A BaseException, so no ``except Exception`` in start-up code keeps it."""


class _Stopper:
    """The SIGINT/SIGTERM handler.

    Python runs it on the main thread, between any two bytecodes of whatever that thread is doing. Once serving,
    that is ``serve_forever``, and raising there is not safe: a signal that lands while socketserver handles a
    connection is caught by its ``except Exception`` (``handle_error``) and the stop is lost. So it only asks:
    ``shutdown()`` makes ``serve_forever`` return at its next poll, and it must be called from another thread
    because it waits for ``serve_forever`` to finish (on the serving thread it would wait forever). A stop
    that comes before ``serve_forever`` starts is not lost either: ``serve_forever`` then returns at once.
    During start-up there is no loop to ask, so it raises ``_Stop``.
    """

    def __init__(self) -> None:
        self.server: LocalHttpServer | None = None
        self._asked = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.server is None:
            raise _Stop
        if not self._asked:
            self._asked = True
            threading.Thread(target=self.server.shutdown, name="stop", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)  # bad arguments end here (exit 2), before anything starts
    # One clock for the whole process, installed before anything reads it; a ShiftedClock even without --today,
    # so POST /local/clock can move it.
    clock.install(clock.ShiftedClock.starting(args.today) if args.today else clock.ShiftedClock())
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("local").setLevel(logging.INFO)
    stopper = _Stopper()
    signal.signal(signal.SIGINT, stopper)
    signal.signal(signal.SIGTERM, stopper)
    try:
        return _run(args, stopper)
    except (_Stop, KeyboardInterrupt):
        return 0
    finally:
        print("stopped", flush=True)


def _seed_daily_totals(env: LocalEnvironment, items: list[dict[str, Any]]) -> None:
    """The seed's history is bulk-loaded without events: its daily totals are imported beside it."""
    from arportal.adapters.dynamodb.daily_total_items import totals_key
    from local import moto_patches
    from local.seed_totals import totals_items

    totals, discrepancies = totals_items(items)
    resources = env.resources
    moto_patches.import_items(resources.ledger_table, totals, account=resources.account_id, region=resources.region)
    for (currency, day), payment_ids in discrepancies.items():
        env.client("dynamodb").update_item(
            TableName=resources.ledger_table,
            Key={k: {"S": v} for k, v in totals_key(currency, day).items()},
            UpdateExpression="ADD discrepancies :d",
            ExpressionAttributeValues={":d": {"SS": sorted(payment_ids)}},
        )


def _run(args: argparse.Namespace, stopper: _Stopper) -> int:
    gc.disable()  # until ready: see _collect_from_now_on
    from local.environment import LocalEnvironment
    from local.gateway import Gateway
    from local.scheduler import Scheduler
    from local.seed import DEFAULT_CUSTOMERS, load, prepare

    env = LocalEnvironment(
        max_wait_seconds=DEV_MAX_WAIT_S, relay_interval_s=1.0, webhook_retry_scale=DEV_WEBHOOK_RETRY_SCALE
    )
    server = scheduler = None
    try:
        # The demo data is generated on the second core while moto and the resources start on this one. The
        # day is passed, not read there: the worker is another process.
        prepared = (
            None
            if args.no_seed
            else prepare(
                seed=args.seed,
                customers=DEFAULT_CUSTOMERS if args.customers is None else args.customers,
                today=clock.today(),
                currency=env.config.currency,
            )
        )
        env.start()
        summary = None if prepared is None else load(env, prepared=prepared)
        if prepared is not None:
            _seed_daily_totals(env, (prepared.result() if isinstance(prepared, Future) else prepared).items)
        prepared = None  # the generated agency is in the tables now (~25 MB; ~160 MB for 1,000 customers)
        _collect_from_now_on()
        scheduler = Scheduler(env)
        try:
            server = Gateway(env, scheduler=scheduler).serve(args.host, args.port)
        except OSError as exc:
            print(f"cannot listen on {args.host}:{args.port}: {exc.strerror} (try --port or PORT=)", file=sys.stderr)
            return 1
        stopper.server = server
        scheduler.start()
        _banner(server.url, env, summary, time.perf_counter() - _started)
        server.serve_forever()
    finally:
        gc.enable()
        # A second signal must not interrupt the clean-up (every step of it is bounded).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if scheduler is not None:
            scheduler.stop()
        if server is not None:
            server.server_close()
        env.stop()
    return 0


def _collect_from_now_on() -> None:
    """Start-up makes ~1.3 million objects that live until exit (moto, the handlers, the seeded tables) and few
    cycles to free (~40,000 objects, a few MB): the collector stays off until ready, and what exists then is kept
    out of its passes (``gc.freeze``), instead of ~1 s of passes over all of it before ready and after."""
    gc.freeze()
    gc.enable()


def _banner(url: str, env: LocalEnvironment, summary: SeedSummary | None, seconds: float) -> None:
    from local.seed import DEMO_LOGINS
    from local.seed_source import SEED_ACTOR

    lines = [
        f"Receivables Portal (local) for {env.config.agency_name}",
        f"  portal        {url}/",
        f"  console       {url}/console/",
        f"  API           {url}/v1/health",
        f"  Swagger UI    {url}/swagger",
        f"  mailbox       {url}/local/mailbox",
        f"  clock         {url}/local/clock   today is {clock.today()}",
        f"  jobs          {url}/local/jobs",
        f"  moto          {env.endpoint_url}",
    ]
    if summary is not None:
        lines.append(f"  demo data     {summary.items} records, seed {summary.seed}")
        lines.append(f"                {summary.through_the_door} loaded through the integration API as {SEED_ACTOR}")
        lines.append("  demo logins   (password Demo-pass-1234)")
        lines.extend(f"                {login}" for login in DEMO_LOGINS)
    lines.extend(_demo_client(url, env))
    lines.append(f"ready in {seconds:.1f}s (Ctrl-C stops)")
    print("\n".join(lines), flush=True)


def _demo_client(url: str, env: LocalEnvironment) -> list[str]:
    """The demo connected system's credentials (every integration scope), as ``GET /local/clients`` lists them."""
    from local import moto_client_secrets
    from local.resources import DEMO_CLIENT

    resources = env.resources
    client_id = resources.integration_clients[DEMO_CLIENT]
    secret = moto_client_secrets.client_secrets(
        resources.integrations_pool_id, client_id, account=resources.account_id, region=resources.region
    )[-1]
    return [
        f"  demo client   {DEMO_CLIENT} (every integration scope; {url}/local/clients lists every client)",
        f"                client id      {client_id}",
        f"                client secret  {secret}",
        f"                token          POST {url}/oauth2/token (grant_type=client_credentials, HTTP Basic)",
    ]


if __name__ == "__main__":
    sys.exit(main())
