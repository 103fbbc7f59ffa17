"""The adapters several functions share, each built once per container from the settings (``built_once``).

The ledger table's readers and writers, the documents' bucket, the mailer and the processor. An adapter that only
one function uses is built in that function's wiring module instead, so this one stays small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
    from arportal.adapters.dynamodb.documents import DynamoDocuments
    from arportal.adapters.dynamodb.rate_limits import DynamoRateCounter
    from arportal.adapters.s3 import S3DocumentStore
    from arportal.adapters.ses import SesMailer
    from arportal.ports import PaymentProcessor


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
def mailer() -> SesMailer:
    from arportal.adapters.ses import SesMailer

    return SesMailer(settings().sender_email)


@built_once
def rate_counter() -> DynamoRateCounter:
    from arportal.adapters.dynamodb.rate_limits import DynamoRateCounter

    return DynamoRateCounter(settings().ledger_table)


@built_once
def processor() -> PaymentProcessor:
    """This deployment's processor (``PROCESSOR``): the sandbox or Stripe."""
    from arportal.adapters.processors import processor_for

    return processor_for(settings())
