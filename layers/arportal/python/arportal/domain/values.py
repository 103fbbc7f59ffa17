"""The values that cross the product's boundaries, each defined once: identifiers, codes, currencies and amounts.

The ledger's entities (``models.py``) and every request model, path and query parameter take them from here, so
an identifier has one pattern everywhere. The HTTP edge adds how a value is read, never what it is:
``arportal/api/parameters.py`` (path and query parameters) and ``arportal/api/schemas.py`` (amounts in JSON bodies
are strict integers) are built from these types. ``tests/unit/test_values.py`` fails when an identifier's pattern
is written anywhere else in ``functions/`` or ``arportal/api/``.

Identifiers:
- ``InvoiceId``, ``PaymentId``: what ``domain/ids.new_id`` makes (a prefix and a 26-character ULID), the seeds'
  and the tests' ids, with room for ids made elsewhere (10 to 40 characters after the prefix). An entity keeps a
  plain ``str`` id: a stored record is never refused for its id's shape;
- ``CustomerId`` is upper case, as stored; staff may type one in any case (``CustomerIdAnyCase``), and the route
  upper-cases it before use;
- ``AccountNumber``, ``InvoiceNumber``: the agency's own numbering (``UT-200001``, ``UT-2026-00001``);
- ``WebhookEndpointId``: a webhook endpoint's, ``whe_`` and exactly the ULID ``new_id`` makes.

Amounts are integers of minor units (1234 is 12.34 in a currency with two decimals) up to ``MAX_MINOR_AMOUNT``.
Their bounds are ``annotated_types`` constraints rather than a ``Field``: a type is only its constraints, and the
``Path()``/``Query()`` marker or the model field that uses it stays the one place of its default and description.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Gt, Le
from pydantic import StringConstraints

ACCOUNT_NUMBER_PATTERN = r"^[A-Z]{2,4}-[0-9]{4,12}$"
INVOICE_NUMBER_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,31}$"
INVOICE_ID_PATTERN = r"^inv_[0-9A-Za-z]{10,40}$"
PAYMENT_ID_PATTERN = r"^pay_[0-9A-Za-z]{10,40}$"
CUSTOMER_ID_PATTERN = r"^CUS-[0-9A-Z]{4,20}$"
# CUSTOMER_ID_PATTERN in any case: what a staff member may type in a path or a form.
CUSTOMER_ID_ANY_CASE_PATTERN = r"^[Cc][Uu][Ss]-[0-9A-Za-z]{4,20}$"
DEPARTMENT_CODE_PATTERN = r"^[a-z][a-z0-9_]{1,31}$"
FEE_CODE_PATTERN = r"^[A-Z0-9_]{2,32}$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"  # ISO 4217 alphabetic code
WEBHOOK_ENDPOINT_ID_PATTERN = r"^whe_[0-9A-Z]{26}$"  # domain/ids.new_id("whe"): a ULID, upper case
MAX_MINOR_AMOUNT = 10**13

AccountNumber = Annotated[str, StringConstraints(pattern=ACCOUNT_NUMBER_PATTERN)]
InvoiceNumber = Annotated[str, StringConstraints(pattern=INVOICE_NUMBER_PATTERN)]
InvoiceId = Annotated[str, StringConstraints(pattern=INVOICE_ID_PATTERN)]
PaymentId = Annotated[str, StringConstraints(pattern=PAYMENT_ID_PATTERN)]
CustomerId = Annotated[str, StringConstraints(pattern=CUSTOMER_ID_PATTERN)]
CustomerIdAnyCase = Annotated[str, StringConstraints(pattern=CUSTOMER_ID_ANY_CASE_PATTERN)]
DepartmentCode = Annotated[str, StringConstraints(pattern=DEPARTMENT_CODE_PATTERN)]
FeeCode = Annotated[str, StringConstraints(pattern=FEE_CODE_PATTERN)]
Currency = Annotated[str, StringConstraints(pattern=CURRENCY_PATTERN)]
WebhookEndpointId = Annotated[str, StringConstraints(pattern=WEBHOOK_ENDPOINT_ID_PATTERN)]

MinorAmount = Annotated[int, Ge(0), Le(MAX_MINOR_AMOUNT)]
PositiveMinorAmount = Annotated[int, Gt(0), Le(MAX_MINOR_AMOUNT)]
SignedMinorAmount = Annotated[int, Ge(-MAX_MINOR_AMOUNT), Le(MAX_MINOR_AMOUNT)]
