"""Request and response models of a customer's interactions in the staff console."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from arportal.api.schemas import Out
from arportal.domain.models import InteractionKind
from arportal.domain.values import InvoiceId, PaymentId
from staff_api.schemas_common import InteractionOut


class InteractionsPageOut(Out):
    interactions: list[InteractionOut]
    next_cursor: str | None


class InteractionIn(Out):
    """A note of what happened with the customer. Referenced ids must be this customer's records."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    kind: InteractionKind
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    payment_id: PaymentId | None = None
    invoice_id: InvoiceId | None = None


class InteractionCreatedOut(Out):
    interaction: InteractionOut
    replayed: bool = Field(description="True when this Idempotency-Key had already logged this interaction")
