"""The customer portal's adapters (``functions/portal_api``), each built once per container from the settings.

Only what the portal alone reads or writes is built here: its read model of a customer's records, the stores of
its own commands (profile, linking, support), the sign-in directory, the saved payment methods, the statement
history and the statement's PDF. What it shares with other functions (customer records, documents and their
bucket, the mailer, the rate counter, schedules, the plain payment ledger, the idempotency records) comes from
``stores``; taking a payment from ``wiring.checkout``, applying credit from ``wiring.apply_credit``.

The portal's list routes bind their cursors with the keys storage describes (``adapters/dynamodb/portal_cursors``,
passed on below), so the routes encode and check cursors without knowing what a key looks like.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.cognito import CognitoLoginDirectory
    from arportal.adapters.dynamodb.history import DynamoStatementHistory
    from arportal.adapters.dynamodb.payment_methods import DynamoPaymentMethods
    from arportal.adapters.dynamodb.portal_commands import DynamoLinkingStore, DynamoProfileStore, DynamoSupportStore
    from arportal.adapters.dynamodb.portal_cursors import PortalList
    from arportal.adapters.dynamodb.portal_queries import DynamoPortalReader
    from arportal.domain.invoice_views import InvoiceFilter, InvoiceSort
    from arportal.domain.models import Customer
    from arportal.domain.statement import Statement
    from arportal.ports import PageStart


@built_once
def reader() -> DynamoPortalReader:
    """A customer's accounts, invoices, payments, credit notes, sales orders and schedules, as the portal lists them."""
    from arportal.adapters.dynamodb.portal_queries import DynamoPortalReader

    return DynamoPortalReader(settings().ledger_table)


@built_once
def profile_store() -> DynamoProfileStore:
    from arportal.adapters.dynamodb.portal_commands import DynamoProfileStore

    return DynamoProfileStore(settings().ledger_table)


@built_once
def linking_store() -> DynamoLinkingStore:
    from arportal.adapters.dynamodb.portal_commands import DynamoLinkingStore

    return DynamoLinkingStore(settings().ledger_table)


@built_once
def login_directory() -> CognitoLoginDirectory:
    """The customers' user pool (``CUSTOMER_POOL_ID``): linking an account writes the customer id on the login."""
    from arportal.adapters.cognito import CognitoLoginDirectory

    return CognitoLoginDirectory(settings().customer_pool_id)


@built_once
def support_store() -> DynamoSupportStore:
    from arportal.adapters.dynamodb.portal_commands import DynamoSupportStore

    return DynamoSupportStore(settings().ledger_table)


@built_once
def payment_methods() -> DynamoPaymentMethods:
    from arportal.adapters.dynamodb.payment_methods import DynamoPaymentMethods

    return DynamoPaymentMethods(settings().ledger_table)


@built_once
def statement_history() -> DynamoStatementHistory:
    from arportal.adapters.dynamodb.history import DynamoStatementHistory

    return DynamoStatementHistory(settings().ledger_table, time=settings().agency_time)


@built_once
def statement_pdf() -> Callable[[Statement, Customer], bytes]:
    """The statement's PDF writer, with this agency's name and logo.

    The PDF code is loaded, and the logo read (``branding.agency_logo``: once per container, again after the local
    runtime's branding upload), only when a PDF is drawn: a CSV statement pays for neither."""
    agency_name = settings().agency_name

    def draw(statement: Statement, customer: Customer) -> bytes:
        from arportal.adapters.pdf.branding import agency_logo
        from arportal.adapters.pdf.statement import render_statement_pdf
        from arportal.domain.payment_instructions import instructions_for
        from arportal.wiring import stores

        logo = agency_logo(stores.document_files())
        config = settings()
        transfer = instructions_for(config.bank_accounts, customer.customer_id, statement.currency)
        return render_statement_pdf(
            statement, agency_name=agency_name, customer=customer, logo=logo, bank_transfer=transfer
        )

    return draw


def list_start(customer_id: str, listed: PortalList) -> PageStart:
    """The keys a page of one of the customer's lists may start after."""
    from arportal.adapters.dynamodb import portal_cursors as cursors

    return cursors.portal_list(customer_id, listed)


def invoice_list_start(customer_id: str, sort: InvoiceSort, where: InvoiceFilter) -> PageStart:
    """The keys a page of the customer's invoices, in this ordering and filter, may start after."""
    from arportal.adapters.dynamodb import portal_cursors as cursors

    return cursors.invoice_list(customer_id, sort, where)


def invoice_position(key: Mapping[str, Any]) -> tuple[str, str] | None:
    """The (date, invoice id) a cursor of the invoice list names (None: not one it handed out)."""
    from arportal.adapters.dynamodb import portal_cursors as cursors

    return cursors.invoice_position(key)


def invoice_key(customer_id: str, sort: InvoiceSort, where: InvoiceFilter, after: tuple[str, str]) -> dict[str, Any]:
    """Where the invoice list goes on after ``after`` (date, invoice id), as a key to hand out as a cursor."""
    from arportal.adapters.dynamodb import portal_cursors as cursors

    return cursors.invoice_key(customer_id, sort, where, after)
