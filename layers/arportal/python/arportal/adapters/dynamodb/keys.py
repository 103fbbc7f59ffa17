"""Every key the ledger table uses, built in one place.

Main table (PK / SK):
    CUST#<customer_id>   #PROFILE                  customer profile
                         ACCT#<account_number>     account
                         CN#<credit_note_id>       credit note
                         INT#<interaction_id>      interaction (ids sort by time)
                         INV#<invoice_id>          invoice
                         PAY#<payment_id>          payment
                         ALLOC#<payment_id>#<invoice_id>   one allocation of a payment to an invoice
                         RCPT#<receipt_number>     receipt
                         SCH#<schedule_id>         schedule (autopay, plan)
                         SO#<order_id>             sales order
    AGENCY               DEPT#<code>               department
    OUTBOX#<event_id>    OUTBOX                    event waiting for the relay (stream -> EventBridge)
    GUEST                PAY#<payment_id>          payment by a guest without a customer record

Indexes (see tables.py): ByExternalKey XK = the key's value, upper-cased, XSK = its kind, so one Query
answers any key a person types without knowing which kind it is; ByActivityDay
DAYPK = "DAY#<yyyy-mm-dd>"; ByDueDate DUEPK = "DUE#<yyyy-mm-dd>"; OpenItems OPK = "CUST#<id>" on live items
only (sparse); ByName NPK = "NAME#<first letter>" with a normalised name/email/phone in NSK.
"""

from __future__ import annotations

from datetime import date, datetime

PROFILE = "#PROFILE"
AGENCY = "AGENCY"
OUTBOX = "OUTBOX"


def customer_pk(customer_id: str) -> str:
    return f"CUST#{customer_id}"


def customer_id_from_pk(pk: str) -> str | None:
    return pk.removeprefix("CUST#") if pk.startswith("CUST#") else None


def profile_key(customer_id: str) -> dict[str, str]:
    return {"PK": customer_pk(customer_id), "SK": PROFILE}


def account_sk(account_number: str) -> str:
    return f"ACCT#{account_number}"


def invoice_sk(invoice_id: str) -> str:
    return f"INV#{invoice_id}"


def payment_sk(payment_id: str) -> str:
    return f"PAY#{payment_id}"


def allocation_sk(payment_id: str, invoice_id: str) -> str:
    return f"ALLOC#{payment_id}#{invoice_id}"


def receipt_sk(receipt_number: str) -> str:
    return f"RCPT#{receipt_number}"


def credit_note_sk(credit_note_id: str) -> str:
    return f"CN#{credit_note_id}"


def sales_order_sk(order_id: str) -> str:
    return f"SO#{order_id}"


def schedule_sk(schedule_id: str) -> str:
    return f"SCH#{schedule_id}"


def interaction_sk(interaction_id: str) -> str:
    return f"INT#{interaction_id}"


def department_key(code: str) -> dict[str, str]:
    return {"PK": AGENCY, "SK": f"DEPT#{code}"}


PENDING_APPROVALS = "APPROVALS#PENDING"  # OPK of approvals while they wait for a decision


def approval_key(approval_id: str) -> dict[str, str]:
    return {"PK": f"APPROVAL#{approval_id}", "SK": "APPROVAL"}


def outbox_key(event_id: str) -> dict[str, str]:
    return {"PK": f"OUTBOX#{event_id}", "SK": OUTBOX}


def external_key(value: str) -> str:
    """Case-insensitive: people read receipt numbers and ids over the phone."""
    return value.strip().upper()


def activity_day_pk(day: date) -> str:
    return f"DAY#{day.isoformat()}"


def activity_day_sk(at: datetime, payment_id: str) -> str:
    return f"{at.isoformat()}#{payment_id}"


def due_pk(day: date) -> str:
    return f"DUE#{day.isoformat()}"


def name_partition(text: str) -> str:
    normalised = normalise_name(text)
    return f"NAME#{normalised[:1] or '_'}"


def normalise_name(text: str) -> str:
    """Lower case, letters/digits/@/. only, so 'O'Brien, Pat' and 'obrien pat' meet."""
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch in "@.+ ").strip()
