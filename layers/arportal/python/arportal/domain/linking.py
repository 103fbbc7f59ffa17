"""What linking an account to a portal login means (pure rule; the proof itself is checked before this).

A login is linked to exactly ONE customer record (the Cognito ``custom:customer_id`` attribute), and a customer
record to at most one login (``Customer.login_subject``). Given a proven account:

- a login with no customer record yet is linked to the account's owner, unless another login already holds that
  record (``TAKEN``: the agency sorts out who is who; a household shares one login);
- a login already linked to the owner: nothing to do, every account of that record is already visible
  (``ALREADY_LINKED``, answered as success so a retried request is harmless);
- a login linked to a DIFFERENT customer record is refused (``OTHER_CUSTOMER``): records are merged by the
  agency, never by a customer who knows an account number and a postal code.
"""

from __future__ import annotations

from enum import StrEnum

from arportal.domain.models import Customer


class LinkDecision(StrEnum):
    LINK = "link"
    ALREADY_LINKED = "already_linked"
    OTHER_CUSTOMER = "other_customer"
    TAKEN = "taken"


def decide(*, login_subject: str, login_customer_id: str | None, owner: Customer) -> LinkDecision:
    if login_customer_id is not None:
        return LinkDecision.ALREADY_LINKED if login_customer_id == owner.customer_id else LinkDecision.OTHER_CUSTOMER
    if owner.login_subject is not None and owner.login_subject != login_subject:
        return LinkDecision.TAKEN
    return LinkDecision.LINK
