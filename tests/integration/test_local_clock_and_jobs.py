"""The local runtime's clock and jobs: ``--today``, ``/local/clock``, ``/local/jobs`` and a stop that is never lost.

Gateway tests run in-process against the shared ``local_env``; a test that moves the product's clock does it
inside ``clock.using(...)``, so the rest of the session keeps its clock. Each works on a quiet day of its own
(``tests.quiet_days``), so the shared ledger's other data is never due on it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import urllib.request
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from arportal import clock
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from arportal.domain.banking_days import is_banking_day
from arportal.domain.models import NotificationPreferences
from infrastructure.catalog import ROOT
from local import mailbox, seed_data
from local.__main__ import _Stop, _Stopper
from local.gateway import Gateway
from local.scheduler import JOBS, Job, Scheduler
from tests import builders as b
from tests.integration.conftest import GatewayClient, new_customer_id
from tests.integration.test_local_runtime import DevServer
from tests.quiet_days import quiet_day

WAIT_S = 120  # generous: a busy machine can take a while; nothing here measures speed


def _shifted(day: date) -> clock.ShiftedClock:
    return clock.ShiftedClock.starting(day)


# --- /local/clock ---------------------------------------------------------------------------------------------


def test_the_clock_reads_moves_forward_and_refuses_to_go_back(gateway: GatewayClient):
    day = quiet_day()
    with clock.using(_shifted(day)):
        # Given a runtime on a day of its own
        reply = gateway.request("GET", "/local/clock")
        assert reply.status == 200 and reply.body["today"] == day.isoformat()
        assert datetime.fromisoformat(reply.body["now"]).date() == day

        # When it moves by days, then to a date
        moved = gateway.request("POST", "/local/clock", json={"advance_days": 3})
        assert moved.status == 200 and moved.body["today"] == (day + timedelta(days=3)).isoformat()
        target = (day + timedelta(days=10)).isoformat()
        assert gateway.request("POST", "/local/clock", json={"today": target}).body["today"] == target

        # Then the product reads the new day, asking for today again changes nothing, and going back is refused
        assert clock.today().isoformat() == target
        assert gateway.request("POST", "/local/clock", json={"today": target}).status == 200
        back = gateway.request("POST", "/local/clock", json={"today": day.isoformat()})
        assert back.status == 400 and "only moves forward" in back.body["error"]["message"]
        assert gateway.request("GET", "/local/clock").body["today"] == target


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"not json", "not JSON"),
        (b"", 'send {"advance_days"'),
        (b"[1]", 'send {"advance_days"'),
        (b"{}", 'send {"advance_days"'),
        (b'{"advance_days": 1, "today": "2099-01-01"}', 'send {"advance_days"'),
        (b'{"advance_days": 1, "hours": 2}', "unknown field(s): hours"),
        (b'{"advance_days": 0}', "1 or more"),
        (b'{"advance_days": -2}', "1 or more"),
        (b'{"advance_days": 1.5}', "whole number"),
        (b'{"advance_days": 1.0}', "whole number"),
        (b'{"advance_days": "3"}', "whole number"),
        (b'{"advance_days": true}', "whole number"),
        (b'{"advance_days": null}', "whole number"),
        (b'{"advance_days": NaN}', "whole number"),
        (b'{"advance_days": 1e400}', "whole number"),
        (b'{"advance_days": 99999999999999999999999999}', "past 2100"),
        (b'{"advance_days": 400000}', "past 2100"),
        (b'{"today": "2099-02-30"}', "is not a date"),
        (b'{"today": "next week"}', "is not a date"),
        (b'{"today": "20990101"}', "is not a date"),
        (b'{"today": 20990101}', "date string"),
        (b'{"today": "2101-01-01"}', "from 2000 to 2100"),
        (b'{"today": "1999-12-31"}', "from 2000 to 2100"),
        (b'{"today": "2001-01-01"}', "only moves forward"),
    ],
)
def test_bad_clock_moves_are_400_and_leave_the_clock_alone(gateway: GatewayClient, body: bytes, says: str):
    with clock.using(_shifted(quiet_day())):
        before = clock.today()
        reply = gateway.request("POST", "/local/clock", body=body, headers={"Content-Type": "application/json"})
        assert reply.status == 400, reply.body
        assert set(reply.body["error"]) == {"code", "message", "details"}
        assert reply.body["error"]["code"] == "bad_request"
        assert says in reply.body["error"]["message"]
        assert clock.today() == before


def test_a_clock_that_cannot_move_says_so(gateway: GatewayClient):
    with clock.using(clock.SystemClock()):
        reply = gateway.request("POST", "/local/clock", json={"advance_days": 1})
    assert reply.status == 409 and reply.body["error"]["code"] == "clock_fixed"


# --- /local/jobs ----------------------------------------------------------------------------------------------


def test_every_scheduled_job_is_listed_from_the_one_registry(gateway: GatewayClient):
    listed = gateway.request("GET", "/local/jobs")
    assert listed.status == 200
    names = [job["name"] for job in listed.body["jobs"]]
    assert names == [job.name for job in JOBS]
    assert {"autopay", "reminders", "overdue", "settlement"} <= set(names)
    for job in listed.body["jobs"]:
        assert job["description"] and job["every_seconds"] > 0
        assert set(job) == {"name", "description", "every_seconds", "last"}


def test_the_reminders_job_runs_on_the_runtimes_day_and_reports(local_env, gateway: GatewayClient):
    # Given, on a quiet day, a customer reminded 3 days ahead of an invoice due in 2 days
    day = quiet_day()
    customer = b.customer(new_customer_id()).model_copy(
        update={"preferences": NotificationPreferences(reminder_days_before=3)}
    )
    account = b.account(customer.customer_id, number=f"UT-{b.n() + 830000}")
    soon = b.invoice(customer.customer_id, account.account_number, amount=4_321, due=day + timedelta(days=2))
    DynamoCustomerRecords(settings().ledger_table).put_new([customer, account, soon])

    # When the runtime is on that day and the job runs now
    with clock.using(_shifted(day)):
        reply = gateway.request("POST", "/local/jobs/reminders")

    # Then it reports what the job did, on that day, and the email is stamped with the product's time
    assert reply.status == 200, reply.body
    assert reply.body["ok"] is True and reply.body["job"] == "reminders"
    assert reply.body["result"]["day"] == day.isoformat() and reply.body["result"]["emails"] >= 1
    assert datetime.fromisoformat(reply.body["started_at"]).date() == day
    resources = local_env.resources
    (email,) = [m for m in mailbox.messages(resources.account_id, resources.region) if customer.email in m["to"]]
    assert soon.invoice_number in email["body"]
    assert datetime.fromisoformat(email["timestamp"]).date() == day

    # And the list shows its last outcome
    (listed,) = [j for j in gateway.request("GET", "/local/jobs").body["jobs"] if j["name"] == "reminders"]
    assert listed["last"]["ok"] is True and listed["last"]["result"]["day"] == day.isoformat()


@pytest.mark.parametrize("name", ["autopay", "overdue"])
def test_the_other_notice_and_charge_jobs_run_and_report(gateway: GatewayClient, name: str):
    day = quiet_day()
    with clock.using(_shifted(day)):
        reply = gateway.request("POST", f"/local/jobs/{name}")
    assert reply.status == 200, reply.body
    assert reply.body["ok"] is True and reply.body["error"] is None
    assert reply.body["result"]["job"] == name and reply.body["result"]["day"] == day.isoformat()


def test_the_settlement_job_runs_the_machine_for_today_by_the_clock(local_env, gateway: GatewayClient):
    # Given a quiet banking day, and one that is not (a Sunday)
    day = quiet_day()
    while not is_banking_day(day):
        day += timedelta(days=1)
    sunday = day + timedelta(days=6 - day.weekday())

    # When the settlement job runs on each
    with clock.using(_shifted(day)):
        reply = gateway.request("POST", "/local/jobs/settlement")
    with clock.using(_shifted(sunday)):
        quiet = gateway.request("POST", "/local/jobs/settlement")

    # Then it ran the state machine for that day (the payouts up to it) and answers its report
    assert reply.status == 200 and reply.body["ok"], reply.body
    result = reply.body["result"]
    machine = local_env.resources.state_machines["settlement"]
    assert result["today"] == day.isoformat() and result["banking_day"] is True
    assert result["execution_arn"].startswith(machine.replace(":stateMachine:", ":execution:") + ":")
    assert result["report"]["until"] == day.isoformat()
    # And on a Sunday it ends at once, with no report
    assert quiet.body["ok"] and quiet.body["result"]["banking_day"] is False and quiet.body["result"]["report"] is None


def test_a_failing_job_answers_its_error_and_an_unknown_one_404(local_env):
    def fail(env: Any) -> None:
        raise RuntimeError("the ledger is on fire")

    scheduler = Scheduler(local_env, [Job("boom", timedelta(hours=1), fail, description="always fails")])
    gateway = GatewayClient(Gateway(local_env, scheduler=scheduler))

    failed = gateway.request("POST", "/local/jobs/boom")
    assert failed.status == 500 and failed.body["error"]["code"] == "job_failed"
    assert "the ledger is on fire" in failed.body["error"]["message"]
    assert failed.body["error"]["details"]["ok"] is False
    (listed,) = gateway.request("GET", "/local/jobs").body["jobs"]
    assert listed["last"]["error"] == "the ledger is on fire"

    unknown = gateway.request("POST", "/local/jobs/everything")
    assert unknown.status == 404 and unknown.body["error"]["details"] == {"jobs": ["boom"]}
    assert gateway.request("GET", "/local/jobs/boom").status == 405


# --- seed relative to the clock ---------------------------------------------------------------------------------


def test_the_seed_is_anchored_on_the_clocks_today():
    day = date(2031, 7, 15)
    with clock.using(clock.FrozenClock(datetime.combine(day, time(9), tzinfo=UTC))):
        anchored = seed_data.generate(5, customers=4).to_items()
    assert anchored == seed_data.generate(5, today=day, customers=4).to_items()


# --- python -m local --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "says"),
    [
        ("2000-13-01", "is not a date"),
        ("2027-02-29", "is not a date"),
        ("tomorrow", "is not a date"),
        ("", "is not a date"),
        ("1999-12-31", "from 2000 to 2100"),
        ("2101-01-01", "from 2000 to 2100"),
    ],
)
def test_a_bad_today_stops_before_anything_starts(today: str, says: str):
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "local", "--no-seed", "--port", "1", "--today", today],
        cwd=ROOT, capture_output=True, text=True, timeout=WAIT_S, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "argument --today" in done.stderr and says in done.stderr
    assert "ready in" not in done.stdout


def _get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 - 127.0.0.1
    with urllib.request.urlopen(request, timeout=WAIT_S) as response:  # noqa: S310 - our own server
        return json.loads(response.read())


def test_the_dev_server_runs_as_of_today_and_stops_during_a_request():
    # Given a small seeded agency started as of a day in the future
    server = DevServer("--seed", "7", "--customers", "12", "--today", "2031-03-01")
    server.wait_ready(WAIT_S)
    stopped = False
    try:
        assert server.get("/local/clock")["today"] == "2031-03-01"
        status, tokens = server.post("/local/login", {"username": "customer@demo.local", "password": "Demo-pass-1234"})
        assert status == 200, tokens

        # Then the demo customer's data is that day's: issued up to it, some of it overdue on it
        dashboard = _get(server.url + "/v1/portal/dashboard", tokens["id_token"])
        assert dashboard["as_of"] == "2031-03-01" and dashboard["overdue"]["amount"] > 0
        invoices = _get(server.url + "/v1/portal/invoices", tokens["id_token"])["invoices"]
        issued = sorted(date.fromisoformat(i["issue_date"]) for i in invoices)
        first_day = date(2031, 3, 1) - timedelta(days=seed_data.HISTORY_DAYS)
        assert issued and first_day <= issued[0] and date(2031, 1, 1) <= issued[-1] <= date(2031, 3, 1)

        # And a moved clock reaches the jobs
        status, moved = server.post("/local/clock", {"advance_days": 5})
        assert status == 200 and moved["today"] == "2031-03-06"
        status, ran = server.post("/local/jobs/overdue", {})
        assert status == 200 and ran["result"]["day"] == "2031-03-06"

        # When SIGTERM arrives while requests are being served
        busy = threading.Thread(target=_keep_asking, args=(server.url,), daemon=True)
        busy.start()
        stopped = True
        assert server.stop(signal.SIGTERM) == 0
    finally:
        if not stopped:
            server.stop()
    # Then it stopped cleanly
    assert "".join(server.lines).rstrip().endswith("stopped")


def _keep_asking(url: str) -> None:
    while True:
        try:
            urllib.request.urlopen(url + "/local/jobs", timeout=5).close()  # noqa: S310 - our own server
        except OSError:
            return


# --- the stop signal --------------------------------------------------------------------------------------------


def test_a_stop_signal_that_lands_while_a_connection_is_handled_is_not_lost(local_env):
    # Given the dev server's HTTP server serving, with the stop handler installed
    server = Gateway(local_env).serve("127.0.0.1", 0)
    stopper = _Stopper()
    stopper.server = server
    accept = server.process_request

    def process_request(request: Any, client_address: Any) -> None:
        # Where a signal can land on the serving thread: inside socketserver's `except Exception` (handle_error)
        stopper(signal.SIGTERM, None)
        accept(request, client_address)

    server.process_request = process_request  # type: ignore[method-assign]
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        # When a request comes in and the signal lands while it is handled
        with urllib.request.urlopen(server.url + "/local/clock", timeout=WAIT_S) as response:  # noqa: S310
            assert response.status == 200
        # Then serve_forever returns
        serving.join(WAIT_S)
        assert not serving.is_alive()
    finally:
        server.server_close()


def test_a_stop_before_serving_or_while_starting_is_not_lost(local_env):
    server = Gateway(local_env).serve("127.0.0.1", 0)
    stopper = _Stopper()
    with pytest.raises(_Stop):  # starting: no server yet, so it leaves the start-up step, past `except Exception`
        try:
            stopper(signal.SIGINT, None)
        except Exception:
            pytest.fail("the stop was caught as an ordinary exception")
    stopper.server = server
    stopper(signal.SIGTERM, None)  # between the server's creation and serve_forever
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    serving.join(WAIT_S)
    try:
        assert not serving.is_alive()
    finally:
        server.server_close()
