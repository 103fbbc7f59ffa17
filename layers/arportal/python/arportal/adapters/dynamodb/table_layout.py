"""The ledger table's layout as a whole, and the conventions every item follows.

Each aggregate keeps its own keys and item mappers in one ``*_items`` module beside this one; ``entity_items``
maps the ledger entities (the ``Record`` union) to items and back. This module is what they share.

Main table (PK / SK), and the module that builds each key:
    CUST#<customer_id>   #PROFILE, #EMAIL_CHANGE, #BALANCE#<department>, ACCT#<account_number>   customer_items
                         #EMAIL_SUPPRESSION  the mark of a bounce or complaint                email_suppressions
                         SRCH#EMAIL | SRCH#PHONE                                        search_items
                         INV#, CN#, SO#, APPLIED#                                       invoice_items
                         PAY#, ALLOC#, RCPT#, TXN#                                      payment_items
                         SCH#, AUTOPAY#, INST#, PLANINV#                                schedule_items
                         PM#                                                            payment_method_items
                         DOC#, NOTICE#                                                  document_items
                         INT#                                                           interaction_items
                         CAPP#                                                          credit_application_items
                         ADJ#                                                           staff_action_items
                         REQKEY#<scope>#<digest>                                        request_items
    AGENCY               DEPT#<code>               department                           (below)
    GUEST                PAY#, ALLOC#, RCPT#, TXN# of a guest without a customer record payment_items
    OUTBOX#<event_id>    OUTBOX                    an event: relayed, then kept 400 days  outbox, event_feed_items
    APPROVAL#<id>, ACTKEY#<digest>                                                      staff_action_items
    PAYINTENT#<charge key>, PROCEVT#<processor>#<event_id>, TXNREF#<transaction_id>     payment_items
    SUPKEY#..., RATE#...                                                                request_items
    EMAILSUP#<address>   SUPPRESSION   an address that bounced or complained: never sent to   email_suppressions
    SOURCE#<kind>#<source id>  SOURCE  a connected system's record: customer, entity, version source_items
    IMPORT#<import_id>   IMPORT, CHUNK#<n>           a bulk import job and its chunk markers  import_items
    TOTALS#<currency>    DAY#<yyyy-mm-dd>            a day's counters (reports, metrics)      daily_total_items
    TOTALSHARE#<owner>#<payment_id>  SHARE           what a payment last added to its day     daily_total_items
    SETTLEMENT, SETTLEMENT#<run>, PAYOUT#<id>, RECON#<id>   settlement's cursor, chunk markers, payouts
                         (deposits) with their lines, reconciliation items                payout_items
    JOURNAL#<batch_id>, JOURNALFIX#<id>  a GL journal batch (created once) and a correction   journals
    DRAWER#<terminal>#<drawer>, DRAWERCLOSE#<deposit_id>, DEPOSITED#<payment_id>  a drawer's state, its closes
                         and the deposit each counter payment went in                      drawer_items
    CLOSE#<yyyy-mm-dd>   SCOPE#<all | department>   a banking day's close, created once      close_items
    SERIES#<customer_id>#<what>  OPEN  a payer's open series of tries (success with retries)   payment_series
    SANDBOX#CHARGE#... / SANDBOX#TXN#... / SANDBOX#REFUND#... / SANDBOX#DAY#...  the sandbox processor's
                                                                    adapters/sandbox_items (kept by sandbox_store)

Indexes (see tables.py): ByExternalKey XK = the key's value, upper-cased, XSK = its kind, so one Query
answers any key a person types without knowing which kind it is; ByActivityDay
DAYPK = "DAY#<yyyy-mm-dd>" (and "EVENTS": every outbox event by id, the event feed); ByDueDate
DUEPK = "DUE#<yyyy-mm-dd>"; OpenItems OPK = "CUST#<id>" on live items only (sparse; and "EVENTS#payment": the
events about payments by id); ByName NPK = "NAME#<first letter>" with a normalised name/email/phone in NSK;
ByParent PPK = "INVOICES#CUST#<id>" (a customer's invoices by due date), "CUST#<id>#INV#<invoice_id>" (that
invoice's allocations and credit entries) and "CUST#<id>#RCPT#<receipt number>" (the receipt's PDF documents); a
customer's invoices by issue date sit in ByActivityDay under DAYPK = "ISSUED#CUST#<id>" (invoice_items).

An item is the entity's JSON fields (amounts as Numbers, dates as ISO strings) plus ``PK``/``SK``, ``type``
and the index attributes that make it findable.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

KEY_ATTRIBUTES = frozenset(
    {"PK", "SK", "type", "XK", "XSK", "DAYPK", "DAYSK", "DUEPK", "DUESK", "OPK", "OSK", "NPK", "NSK", "PPK", "PSK"}
)
# Present only while an item is live (``entity_items.live_index_attributes`` tells an update what to SET or REMOVE).
SPARSE_ATTRIBUTES = ("OPK", "OSK", "DUEPK", "DUESK")


def to_dynamo(value: Any) -> Any:
    """JSON values as stored: ``None`` fields left out, and never a float."""
    if isinstance(value, float):  # never: money is integer minor units
        raise TypeError("floats are not stored; use integer minor units")
    if isinstance(value, dict):
        return {k: to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [to_dynamo(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """DynamoDB values back to JSON types (Decimal -> int; the ledger stores no fractions)."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, set):
        return sorted(plain(v) for v in value)
    return value


def external_key(value: str) -> str:
    """Case-insensitive: people read receipt numbers and ids over the phone."""
    return value.strip().upper()


def activity_day_pk(day: date) -> str:
    return f"DAY#{day.isoformat()}"


def due_pk(day: date) -> str:
    return f"DUE#{day.isoformat()}"


def index_time(at: datetime) -> str:
    """A fixed-width UTC timestamp, so sort keys compare as the instants they name (``isoformat`` drops zero
    microseconds, which would not)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The agency's own partition: its departments, read by everyone, owned by no customer.
AGENCY = "AGENCY"


def department_key(code: str) -> dict[str, str]:
    return {"PK": AGENCY, "SK": f"DEPT#{code}"}
