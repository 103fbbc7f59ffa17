"""Every branch of payment_retry for scheduled charges, on moto with instant waits, started the way the autopay
run starts them: posted to the ledger, retried then posted, given up (instalment failed, customer told), never
retried after a hard decline, posted pending for ACH, stopped when the schedule was cancelled meanwhile, and a
replayed posting step that posts once.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.documents import DynamoDocuments
from arportal.adapters.dynamodb.payment_methods import DynamoPaymentMethods
from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
from arportal.adapters.dynamodb.schedules import DynamoSchedules
from arportal.adapters.sandbox import SandboxProcessor
from arportal.config import settings
from arportal.domain.models import Instalment, InstalmentStatus, PaymentMethodType, Schedule, ScheduleKind
from arportal.domain.status import PaymentStatus
from arportal.services.autopay import create_schedule, execution_name
from arportal.services.payment_methods import MethodDraft, save_method
from local import mailbox
from tests import builders as b
from tests.integration.conftest import Execution, Executions, new_customer_id
from tests.quiet_days import quiet_day

NOW = datetime.now(UTC)

WAIT_S = 120  # instant waits, but a busy machine can take a while to run a dozen Lambda tasks


class Scheduled:
    """A customer with one open invoice due on a far-off day of its own, and a schedule paying it with ``token``."""

    def __init__(self, local_env, token: str, *, kind: ScheduleKind = ScheduleKind.AUTOPAY, amount: int = 6_400):
        self.env = local_env
        self.day = quiet_day()
        cid = new_customer_id()
        self.customer = b.customer(cid)
        self.account = b.account(cid, number=f"UT-{b.n() + 830000}")
        self.invoice = b.invoice(cid, self.account.account_number, amount=amount, due=self.day)
        table = settings().ledger_table
        DynamoCustomerRecords(table).put_new([self.customer, self.account, self.invoice])
        # Through the services, as the API creates them (they answer a lost write by reading back the claim).
        draft = MethodDraft(
            type=PaymentMethodType.ACH if token == "tok_ach" else PaymentMethodType.CARD,
            token=token,
            last4="6789" if token == "tok_ach" else "4242",
            brand=None if token == "tok_ach" else "visa",
        )
        methods = DynamoPaymentMethods(table)
        self.method = save_method(
            methods, cid, draft, idempotency_key=uuid.uuid4().hex, now=NOW, processor=SandboxProcessor()
        ).method
        plan = kind is ScheduleKind.PLAN
        self.schedule = Schedule(
            schedule_id=f"sch_{uuid.uuid4().hex[:26].upper()}",
            customer_id=cid,
            kind=kind,
            account_number=self.account.account_number,
            payment_method_id=self.method.method_id,
            currency="USD",
            instalments=[
                Instalment(due_date=self.day, amount=amount // 2),
                Instalment(due_date=self.day + timedelta(days=30), amount=amount - amount // 2),
            ]
            if plan
            else [],
            created_at=NOW,
            invoice_ids=[self.invoice.invoice_id] if plan else [],
        )
        self.store = DynamoSchedules(table)
        create_schedule(self.store, self.schedule, idempotency_key=uuid.uuid4().hex, fingerprint="test", taken="taken")

    def run_autopay(self) -> dict[str, Any]:
        response = self.env.client("lambda").invoke(
            FunctionName=self.env.resources.functions["scheduled_jobs"],
            Payload=json.dumps({"job": "autopay", "day": self.day.isoformat()}).encode(),
        )
        return dict(json.loads(response["Payload"].read()))

    @property
    def execution_arn(self) -> str:
        subject = "inst01" if self.schedule.kind is ScheduleKind.PLAN else self.invoice.invoice_id
        name = execution_name(self.schedule.schedule_id, subject, self.day, self.schedule.kind)
        machine = self.env.resources.state_machines["payment_retry"]
        return machine.replace(":stateMachine:", ":execution:") + ":" + name

    def charged(self, executions: Executions) -> Execution:
        assert self.run_autopay()["started"] >= 1
        return executions.wait(self.execution_arn, timeout=WAIT_S)

    def ledger_invoice(self):
        s = settings()
        (found,) = DynamoPaymentPosting(s.ledger_table, s.audit_table).invoices(
            self.customer.customer_id, [self.invoice.invoice_id]
        )
        return found

    def emails(self) -> list[dict[str, Any]]:
        resources = self.env.resources
        return [
            m
            for m in mailbox.messages(resources.account_id, resources.region)
            if (self.customer.email or "") in m["to"]
        ]

    def events(self) -> list[dict[str, Any]]:
        key = f"sched-{self.schedule.schedule_id}"
        return [e for e in self.env.drain_events() if str(e["detail"].get("idempotency_key", "")).startswith(key)]


def test_a_charge_that_succeeds_first_time_is_posted_to_the_ledger(local_env, executions: Executions):
    world = Scheduled(local_env, "tok_visa")

    run = world.charged(executions)

    # Then the machine charged once and posted: the invoice is paid and the payment has a receipt number
    assert run.status == "SUCCEEDED", run.cause
    assert run.states_entered().count("Charge") == 1
    assert "PostToLedger" in run.states_entered()
    posting = run.output["posting"]
    assert posting["posted"] is True and posting["status"] == "posted" and posting["receipt_number"]
    assert world.ledger_invoice().balance == 0
    s = settings()
    payment = DynamoPaymentPosting(s.ledger_table, s.audit_table).payment(
        world.customer.customer_id, posting["payment_id"]
    )
    assert payment is not None
    assert (payment.status, payment.receipt_number, payment.amount) == (
        PaymentStatus.POSTED,
        posting["receipt_number"],
        6_400,
    )
    (event,) = world.events()
    assert event["detail-type"] == "payment.charged"
    assert event["detail"]["posted"] is True and event["detail"]["payment_id"] == posting["payment_id"]
    # And the customer is told: one confirmation email with the receipt number and amount; the receipt is filed
    # under Documents, its PDF drawn on the first download (services/receipt_pdfs.py), so none rides on the email
    (email,) = world.emails()
    assert posting["receipt_number"] in email["subject"] and "64.00 USD" in email["body"]
    assert email["attachments"] == []
    assert posting["receipt_document_id"]
    document = DynamoDocuments(s.ledger_table).get(world.customer.customer_id, posting["receipt_document_id"])
    assert document is not None and document.reference == posting["receipt_number"]


def test_a_retryable_failure_is_charged_again_then_posted(local_env, executions: Executions):
    world = Scheduled(local_env, "tok_flaky_1")

    run = world.charged(executions)

    assert run.status == "SUCCEEDED", run.cause
    assert run.states_entered().count("Charge") == 2
    assert "StillScheduled" in run.states_entered() and "WaitBeforeRetry" in run.states_entered()
    assert run.output["attempt"] == 2 and run.output["posting"]["posted"] is True
    assert world.ledger_invoice().balance == 0


def test_exhausted_retries_fail_the_instalment_and_tell_the_customer(local_env, executions: Executions):
    # Given a plan instalment paid from an account whose funds never arrive
    world = Scheduled(local_env, "tok_insufficient_funds", kind=ScheduleKind.PLAN)

    run = world.charged(executions)

    # Then all four attempts were made, the instalment is failed and one dunning email went out
    assert run.status == "FAILED" and run.error == "PaymentFailed"
    assert run.states_entered().count("Charge") == 4
    assert "NotifyFailure" in run.states_entered()
    stored = world.store.schedule(world.customer.customer_id, world.schedule.schedule_id)
    assert stored is not None and stored.instalments[0].status is InstalmentStatus.FAILED
    assert stored.instalments[1].status is InstalmentStatus.SCHEDULED
    (email,) = world.emails()
    assert "did not go through" in email["subject"]
    assert "tried 4 times" in email["body"] and "32.00 USD" in email["body"]
    assert world.ledger_invoice().balance == 6_400  # nothing was posted
    (event,) = world.events()
    assert event["detail-type"] == "payment.failed" and event["detail"]["attempts"] == 4


def test_a_hard_decline_is_never_retried_and_the_customer_is_told(local_env, executions: Executions):
    world = Scheduled(local_env, "tok_stolen")

    run = world.charged(executions)

    assert run.status == "FAILED"
    assert run.states_entered().count("Charge") == 1
    assert "PlanNextAttempt" not in run.states_entered()
    (email,) = world.emails()
    assert "declined" in email["body"] and "will not try that payment method again" in email["body"]
    (event,) = world.events()
    assert event["detail"]["outcome"] == "declined" and event["detail"]["code"] == "stolen_card"


def test_ach_is_posted_as_pending(local_env, executions: Executions):
    world = Scheduled(local_env, "tok_ach")

    run = world.charged(executions)

    assert run.status == "SUCCEEDED", run.cause
    assert run.output["posting"]["status"] == "pending"
    assert run.output["posting"]["receipt_number"] is None
    assert world.ledger_invoice().balance == 0  # applied while pending, as the payments core does


def test_a_schedule_cancelled_while_the_charge_waits_is_not_charged_again(local_env, executions: Executions):
    # Given a charge that fails once (retryable) for a schedule the customer has since cancelled
    world = Scheduled(local_env, "tok_flaky_1")
    world.store.close(world.schedule, at=NOW)
    payload = {
        "charge": {
            "idempotency_key": f"sched-{world.schedule.schedule_id}-test",
            "amount": 6_400,
            "currency": "USD",
            "token": "tok_flaky_1",
            "description": "Autopay",
            "customer_id": world.customer.customer_id,
        },
        "backoff_days": [1, 3, 5],
        "attempt": 1,
        "post": {"schedule_id": world.schedule.schedule_id, "invoice_ids": [world.invoice.invoice_id]},
    }

    run = executions.run("payment_retry", payload, timeout=WAIT_S)

    # Then the machine stops before the second attempt, charging nothing more
    assert run.status == "SUCCEEDED"
    assert run.states_entered().count("Charge") == 1
    assert "CancelledBeforeRetry" in run.states_entered()
    assert world.ledger_invoice().balance == 6_400


def test_a_replayed_posting_step_posts_once(local_env, executions: Executions):
    from local.invoke import LambdaContext
    from workflow_tasks.handler import lambda_handler

    # Given a charge the machine posted
    world = Scheduled(local_env, "tok_visa")
    run = world.charged(executions)
    state = json.loads(
        next(
            e["stateEnteredEventDetails"]["input"]
            for e in run.history
            if e.get("stateEnteredEventDetails", {}).get("name") == "PostToLedger"
        )
    )

    # When Step Functions retries the posting Task (a lost Lambda answer)
    again = lambda_handler({"task": "post_charge", "execution": state}, LambdaContext(function_name="workflow_tasks"))

    # Then it answers with the payment posted the first time, and the invoice was paid once
    assert again["replayed"] is True and again["payment_id"] == run.output["posting"]["payment_id"]
    assert world.ledger_invoice().balance == 0
    assert world.ledger_invoice().paid == 6_400
    # and the customer got one confirmation, not two
    assert len(world.emails()) == 1 and again["receipt_document_id"] is None


def test_a_charge_started_without_a_schedule_still_succeeds_and_says_it_was_not_posted(
    local_env, executions: Executions
):
    # The pre-issue-4 input shape (no "post", a customer with nothing on record): the charge stands, and
    # payment.charged carries posted=false for finance to apply the money by hand.
    key = f"adhoc-{uuid.uuid4().hex}"
    payload = {
        "charge": {
            "idempotency_key": key,
            "amount": 1_000,
            "currency": "USD",
            "token": "tok_visa",
            "description": "x",
            "customer_id": new_customer_id(),
        },
        "backoff_days": [1],
        "attempt": 1,
    }
    run = executions.run("payment_retry", payload, timeout=WAIT_S)
    assert run.status == "SUCCEEDED"
    assert run.output["posting"]["posted"] is False and run.output["posting"]["reason"]
    (event,) = [e for e in local_env.drain_events() if e["detail"].get("idempotency_key") == key]
    assert event["detail"]["posted"] is False and event["detail"]["unposted_reason"]
