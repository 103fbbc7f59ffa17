"""When a customer's ledger item last moved: what lets a statement read only what happened since its range began.

Every invoice, payment, credit note and allocation of a customer carries ``NPK = MOVED#CUST#<id>`` and
``NSK = <UTC instant, fixed width>`` in the ``ByName`` index (those items have no name entry of their own, and a
new partition value of an existing index needs no new index: CloudFormation adds one index per table update).
``NSK`` is never earlier than any movement the item's statement lines are dated by, nor than the last write that
changed what it owes or holds:
- an item written whole (``entity_items.to_item``) takes the latest instant in it: an invoice's issue day (its
  end), a payment's creation and every status change, a credit note's issue day and each application, an
  allocation's moment;
- every update of an invoice's figures (``invoice_updates``), of a credit note's remaining (``payment_changes``,
  ``credit_applications``) and of a payment's status (``status_changes``, ``staff_actions``) sets it to the
  write's own instant (``moved_now``).

So a Query of ``MOVED#CUST#<id>`` from the range's first instant finds every item with a line in the range or a
change since (a statement ending before today takes later changes back out), and nothing older.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from arportal import clock
from arportal.domain.models import Allocation, CreditNote, Invoice, Payment

MOVED_PREFIX = "MOVED#"


def moved_pk(customer_id: str) -> str:
    return f"{MOVED_PREFIX}CUST#{customer_id}"


def instant(moment: datetime) -> str:
    """A fixed-width UTC stamp: stamps compare as strings in time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def day_end(day: date) -> str:
    """The last instant of a UTC calendar day: an agency day that starts on it, or before, starts no later."""
    return instant(datetime.combine(day, time.max, tzinfo=UTC))


def moved_attributes(record: Any) -> dict[str, str]:
    """The item's ``NPK``/``NSK`` when it is one a statement reads (a customer's), else nothing."""
    match record:
        case Invoice():
            return _of(record.customer_id, day_end(record.issue_date))
        case Payment() if record.customer_id:
            return _of(record.customer_id, max([instant(record.created_at), *(instant(h.at) for h in record.history)]))
        case CreditNote():
            applied = [instant(a.applied_at) for a in record.applications]
            return _of(record.customer_id, max([day_end(record.issued_on), *applied]))
        case Allocation() if record.customer_id:
            return _of(record.customer_id, instant(record.applied_at))
    return {}


def _of(customer_id: str, stamp: str) -> dict[str, str]:
    return {"NPK": moved_pk(customer_id), "NSK": stamp}


def moved_now(customer_id: str) -> tuple[str, dict[str, str]]:
    """The SET clause and its values that mark an item as moved by a write now (names ``:mvpk``, ``:mvsk``)."""
    return "NPK = :mvpk, NSK = :mvsk", {":mvpk": moved_pk(customer_id), ":mvsk": instant(clock.now())}
