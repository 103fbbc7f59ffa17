"""Portal route: how to pay by wire or bank transfer. The agency's accounts that take wires or ACH credits (from the
deployment config, ``bankAccounts``) and the caller's remittance reference, which makes the incoming line match
their account on its own.

A route of its own rather than ``/config.json``: the reference is the signed-in customer's, and the bank details
are read from the functions' config at request time, so the static site never carries them.
"""

from __future__ import annotations

from pydantic import Field

from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_customer
from arportal.api.schemas import Out
from arportal.config import settings
from arportal.domain.bank_accounts import BankAccount
from arportal.domain.payment_instructions import BANK_TRANSFERS, instructions_for
from arportal.domain.remittance_reference import formatted, reference_for

router = new_router()


class TransferAccountOut(Out):
    account_id: str
    account_name: str = Field(description="The account holder's name, as the payer's bank asks for it")
    bank_name: str
    routing_number: str = Field(description="ABA routing number")
    account_number: str
    currency: str
    receives: list[str] = Field(description="Which of wires and ach_credits this account takes")

    @classmethod
    def of(cls, a: BankAccount) -> TransferAccountOut:
        return cls(
            account_id=a.account_id,
            account_name=a.name,
            bank_name=a.bank_name,
            routing_number=a.routing_number,
            account_number=a.account_number,
            currency=a.currency,
            receives=sorted(str(r) for r in a.receives & BANK_TRANSFERS),
        )


class PaymentInstructionsOut(Out):
    beneficiary_name: str = Field(description="Who the money is for: the agency, as the payer's bank asks for it")
    remittance_reference: str = Field(description="ISO 11649 creditor reference, electronic form (RF + check digits)")
    remittance_reference_display: str = Field(description="The same reference in groups of four, for reading out")
    accounts: list[TransferAccountOut] = Field(description="Empty when the agency takes no wires or ACH credits")


@router.get(
    "/v1/portal/payment-instructions",
    tags=["portal"],
    summary="Where to send a wire or ACH credit, and the remittance reference to quote",
)
def get_payment_instructions() -> PaymentInstructionsOut:
    customer_id = require_customer(current_caller(router))
    config = settings()
    found = instructions_for(config.bank_accounts, customer_id, config.currency)
    if found is None:
        reference = reference_for(customer_id)
        return PaymentInstructionsOut(
            beneficiary_name=config.agency_name,
            remittance_reference=reference,
            remittance_reference_display=formatted(reference),
            accounts=[],
        )
    return PaymentInstructionsOut(
        beneficiary_name=config.agency_name,
        remittance_reference=found.reference,
        remittance_reference_display=found.reference_display,
        accounts=[TransferAccountOut.of(a) for a in found.accounts],
    )
