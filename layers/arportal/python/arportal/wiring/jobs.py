"""What the scheduled jobs use (``functions/scheduled_jobs``), each built once per container from the settings.

Only what the jobs alone use is built here: the payment_retry machine the autopay run starts, the notices'
mailing and the payment intents the reconciler closes. The schedules, the mailer and the notice log come from
``stores``; the ledger, processor and fees the reconciler posts with from ``wiring.payments``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.customer_reindex import DynamoCustomerReindex
    from arportal.adapters.dynamodb.intents import DynamoPaymentIntents
    from arportal.adapters.stepfunctions import StepFunctionsStarter
    from arportal.services.reminders import Mailing


@built_once
def payment_retry_starter() -> StepFunctionsStarter:
    """The payment_retry machine (``PAYMENT_RETRY_STATE_MACHINE_ARN``), started once per scheduled charge."""
    from arportal.adapters.stepfunctions import StepFunctionsStarter

    return StepFunctionsStarter(settings().payment_retry_state_machine)


@built_once
def mailing() -> Mailing:
    """How reminders and overdue notices go out: marked in the notice log first, so a rerun sends each once."""
    from arportal.services.reminders import Mailing
    from arportal.wiring import stores

    return Mailing(stores.notice_log(), stores.mailer(), settings().agency_name, stores.portal_url())


@built_once
def payment_intents() -> DynamoPaymentIntents:
    """The intents recorded before each charge: the reconciler posts the charged ones and closes the rest."""
    from arportal.adapters.dynamodb.intents import DynamoPaymentIntents

    s = settings()
    return DynamoPaymentIntents(s.ledger_table, s.audit_table)


@built_once
def customer_reindex() -> DynamoCustomerReindex:
    """The one-off ``reindex_customers`` job's: what this version keeps beside each customer's records."""
    from arportal import clock
    from arportal.adapters.dynamodb.customer_reindex import DynamoCustomerReindex

    config = settings()
    return DynamoCustomerReindex(config.ledger_table, config.currency, lambda: config.agency_time.day(clock.now()))
