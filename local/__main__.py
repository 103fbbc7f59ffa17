"""``python -m local``: the whole product in one process (what ``make dev`` runs).

    python -m local [--port 8000] [--host 127.0.0.1] [--seed 42] [--no-seed]

The ``PORT`` environment variable sets the default port. Ctrl-C or SIGTERM stops it cleanly (exit 0).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import time
from types import FrameType

_started = time.perf_counter()  # before the heavy imports: "ready in" counts them too

from local.environment import LocalEnvironment  # noqa: E402
from local.gateway import Gateway  # noqa: E402
from local.scheduler import Scheduler  # noqa: E402
from local.seed import DEMO_LOGINS, load, prepare  # noqa: E402

DEV_MAX_WAIT_S = 5  # Wait states and retry intervals of days take at most this long locally


class _Stop(Exception):
    """SIGINT or SIGTERM: leave serve_forever and shut down."""


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", type=int, default=42, help="demo data seed (same seed, same data)")
    parser.add_argument("--no-seed", action="store_true", help="start with empty tables and no demo logins")
    parser.add_argument("--customers", type=int, default=300, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("local").setLevel(logging.INFO)
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    env = LocalEnvironment(max_wait_seconds=DEV_MAX_WAIT_S, relay_interval_s=1.0)
    server = scheduler = None
    try:
        # The demo data is generated on the second core while moto and the resources start on this one.
        prepared = (
            None if args.no_seed else prepare(seed=args.seed, customers=args.customers, currency=env.config.currency)
        )
        env.start()
        summary = None if prepared is None else load(env, prepared=prepared)
        gc.freeze()  # the seeded tables live until exit: keep the collector from rescanning them on every pass
        try:
            server = Gateway(env).serve(args.host, args.port)
        except OSError as exc:
            print(f"cannot listen on {args.host}:{args.port}: {exc.strerror} (try --port or PORT=)", file=sys.stderr)
            return 1
        scheduler = Scheduler(env).start()
        _banner(server.url, env, summary, time.perf_counter() - _started)
        server.serve_forever()
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the clean-up
        if scheduler is not None:
            scheduler.stop()
        if server is not None:
            server.server_close()
        env.stop()
        print("stopped", flush=True)
    return 0


def _banner(url: str, env: LocalEnvironment, summary: object, seconds: float) -> None:
    lines = [
        f"Receivables Portal (local) for {env.config.agency_name}",
        f"  portal        {url}/",
        f"  console       {url}/console/",
        f"  API           {url}/v1/health",
        f"  Swagger UI    {url}/swagger",
        f"  mailbox       {url}/local/mailbox",
        f"  moto          {env.endpoint_url}",
    ]
    if summary is not None:
        lines.append(f"  demo data     {summary.items} items, seed {summary.seed}")  # type: ignore[attr-defined]
        lines.append("  demo logins   (password Demo-pass-1234)")
        lines.extend(f"                {login}" for login in DEMO_LOGINS)
    lines.append(f"ready in {seconds:.1f}s (Ctrl-C stops)")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
