"""The adapters several functions share, each built once per container from the settings (``built_once``).

The ledger table's readers and writers, the documents' bucket, the mailer and the processor. An adapter that only
one function uses is built in that function's wiring module instead, so this one stays small.

Two services are built here too, because more than one function needs the same one: a payment's receipt
(``receipt_services``: the portal's payments, the console's resend, a scheduled charge's confirmation) and the
staff actions (``staff_action_services``: the console files them, the approval machine carries them out).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from arportal.adapters.dynamodb.approvals import DynamoApprovalStore
    from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
    from arportal.adapters.dynamodb.documents import DynamoDocuments
    from arportal.adapters.dynamodb.email_suppressions import DynamoEmailSuppressions
    from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
    from arportal.adapters.dynamodb.rate_limits import DynamoRateCounter
    from arportal.adapters.dynamodb.schedules import DynamoNoticeLog, DynamoSchedules
    from arportal.adapters.dynamodb.staff_actions import DynamoStaffActionStore
    from arportal.adapters.s3 import S3DocumentStore
    from arportal.adapters.stepfunctions import StepFunctionsApprovals
    from arportal.ports import PaymentProcessor
    from arportal.services.email_suppression import SuppressingMailer
    from arportal.services.receipts import ReceiptServices
    from arportal.services.staff_action_orders import StaffActionServices


@built_once
def customer_records() -> DynamoCustomerRecords:
    from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords

    return DynamoCustomerRecords(settings().ledger_table)


@built_once
def documents() -> DynamoDocuments:
    from arportal.adapters.dynamodb.documents import DynamoDocuments

    return DynamoDocuments(settings().ledger_table)


@built_once
def document_files() -> S3DocumentStore:
    from arportal.adapters.s3 import S3DocumentStore

    return S3DocumentStore(settings().documents_bucket)


@built_once
def mailer() -> SuppressingMailer:
    """SES, through this stage's configuration set, never to an address that bounced or complained."""
    from arportal.adapters.ses import SesMailer
    from arportal.services.email_suppression import SuppressingMailer

    s = settings()
    return SuppressingMailer(
        SesMailer(s.sender_email, configuration_set=s.ses_configuration_set or None), email_suppressions()
    )


@built_once
def email_suppressions() -> DynamoEmailSuppressions:
    from arportal.adapters.dynamodb.email_suppressions import DynamoEmailSuppressions

    s = settings()
    return DynamoEmailSuppressions(s.ledger_table, s.audit_table)


@built_once
def rate_counter() -> DynamoRateCounter:
    from arportal.adapters.dynamodb.rate_limits import DynamoRateCounter

    return DynamoRateCounter(settings().ledger_table)


def processor() -> PaymentProcessor:
    """This deployment's processor (``PROCESSOR``): the sandbox or Stripe.

    Not ``built_once``: ``processor_for`` keeps one per container already (per processor, table and secret), and
    it stays the one place a processor comes from, so a test that wraps it (to count charges) sees every charge."""
    from arportal.adapters.processors import processor_for

    return processor_for(settings())


def portal_url() -> str | None:
    """Where a signed-in payer finds their documents and payments, for links in emails: only a real (https) site."""
    origin = settings().web_origin
    return origin if origin.startswith("https://") else None


@built_once
def staff_action_store() -> DynamoStaffActionStore:
    from arportal.adapters.dynamodb.staff_actions import DynamoStaffActionStore

    s = settings()
    return DynamoStaffActionStore(s.ledger_table, s.audit_table)


@built_once
def approval_store() -> DynamoApprovalStore:
    from arportal.adapters.dynamodb.approvals import DynamoApprovalStore

    s = settings()
    return DynamoApprovalStore(s.ledger_table, s.audit_table)


@built_once
def approval_workflow() -> StepFunctionsApprovals:
    """The approval state machine (``APPROVAL_STATE_MACHINE_ARN``), started for each filed request."""
    from arportal.adapters.stepfunctions import StepFunctionsApprovals

    return StepFunctionsApprovals(settings().approval_state_machine)


@built_once
def receipt_services() -> ReceiptServices:
    """A payment's receipt: its PDF, its document and its emails (``services/receipts``)."""
    from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
    from arportal.adapters.pdf.receipt import PdfReceiptRenderer
    from arportal.services.receipts import ReceiptServices

    s = settings()
    return ReceiptServices(
        # Receipts only read the payment's records, so one ledger serves whether or not its posting is chained.
        records=DynamoPaymentPosting(s.ledger_table, s.audit_table),
        documents=documents(),
        files=document_files(),
        mailer=mailer(),
        renderer=PdfReceiptRenderer(s.agency_time),
        agency_name=s.agency_name,
        portal_url=portal_url(),
        time=s.agency_time,
    )


@built_once
def staff_action_services() -> StaffActionServices:
    """Refunds, voids, reversals, adjustments and write-offs: filed by the console, carried out at once or by the
    approval machine once approved; either way the payer is told about money back (``MoneyBackNotices``)."""
    from arportal.services.money_back_notices import MoneyBackNotices
    from arportal.services.staff_action_orders import StaffActionServices

    s = settings()
    return StaffActionServices(
        store=staff_action_store(),
        approvals=approval_store(),
        workflow=approval_workflow(),
        processor=processor(),
        currency=s.currency,
        threshold=s.approval_threshold,
        expiry_seconds=s.approval_expiry_seconds,
        notices=MoneyBackNotices(
            customers=customer_records(),
            mailer=mailer(),
            agency_name=s.agency_name,
            portal_url=portal_url(),
            time=s.agency_time,
        ),
    )


@built_once
def schedules() -> DynamoSchedules:
    """Autopay enrolments and payment plans: the portal keeps them, the scheduled jobs and workflows run them."""
    from arportal.adapters.dynamodb.schedules import DynamoSchedules

    return DynamoSchedules(settings().ledger_table)


@built_once
def payment_posting() -> DynamoPaymentPosting:
    """The payment ledger with the plain audit record (staff-taken payments chain theirs: ``wiring.payments``)."""
    from arportal.adapters.dynamodb.posting import DynamoPaymentPosting

    s = settings()
    return DynamoPaymentPosting(s.ledger_table, s.audit_table)


def idempotency_records() -> DynamoDBPersistenceLayer:
    """Where ``arportal.api.idempotency.run_once`` keeps each request's answer (``IDEMPOTENCY_TABLE``: key ``id``,
    TTL ``expiration``), on the shared client (its timeouts, retries and connection pool).

    A new one per request, not built once: Powertools' layer keeps the running operation's key prefix on itself
    (``configure``), so two requests in flight on the local gateway's threads must not share one."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from arportal.adapters.aws import client

    return DynamoDBPersistenceLayer(
        table_name=settings().idempotency_table,
        key_attr="id",
        expiry_attr="expiration",
        boto3_client=client("dynamodb"),
    )


@built_once
def notice_log() -> DynamoNoticeLog:
    """Which notices went out (reminders, overdue, a failed scheduled charge), so a rerun sends each once."""
    from arportal.adapters.dynamodb.schedules import DynamoNoticeLog

    return DynamoNoticeLog(settings().ledger_table)
