"""Path and query parameters of the routes, built from ``arportal.domain.values``: a parameter adds where the value
is read (Powertools' ``Path()`` or ``Query()``), never its own pattern or bounds.

A route that documents a parameter of its own way (a description) annotates the same value type with its own
marker: ``Annotated[CustomerIdAnyCase, Path(description="...")]``.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from arportal.domain.values import (
    AccountNumber,
    CustomerIdAnyCase,
    DepartmentCode,
    InvoiceId,
    PaymentId,
    PositiveMinorAmount,
    WebhookEndpointId,
)

InvoiceIdPath = Annotated[InvoiceId, Path()]
PaymentIdPath = Annotated[PaymentId, Path()]
WebhookEndpointIdPath = Annotated[WebhookEndpointId, Path(description="whe_ and 26 letters or digits")]
# Staff type customer ids in any case; the route upper-cases it before use.
CustomerIdPath = Annotated[CustomerIdAnyCase, Path()]
AmountQuery = Annotated[PositiveMinorAmount, Query(description="Minor units")]
AccountNumberQuery = Annotated[AccountNumber | None, Query()]
DepartmentQuery = Annotated[DepartmentCode | None, Query()]
