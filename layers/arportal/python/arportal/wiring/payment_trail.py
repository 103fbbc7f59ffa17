"""What the trail of a payment reads (``functions/staff_api/routes/payment_trail.py``): the console's payment
read model, the payouts and deposits by key, and the GL journals' store and files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.payment_trail import DynamoPaymentTrail
    from arportal.services.payment_trail import TrailReads


@built_once
def money_out() -> DynamoPaymentTrail:
    from arportal.adapters.dynamodb.payment_trail import DynamoPaymentTrail

    return DynamoPaymentTrail(settings().ledger_table)


def reads() -> TrailReads:
    from arportal.services.payment_trail import TrailReads
    from arportal.wiring import journals, staff

    return TrailReads(
        staff.queries(), money_out(), journals.journal_store(), journals.journal_files(), journals.agency_code()
    )
