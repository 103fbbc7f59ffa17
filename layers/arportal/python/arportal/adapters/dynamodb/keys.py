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
    SANDBOX#CHARGE#<key> CHARGE / SANDBOX#TXN#<id> TXN / SANDBOX#REFUND#<key> REFUND   the sandbox processor's state

Indexes (see tables.py): ByExternalKey XK = the key's value, upper-cased, XSK = its kind, so one Query
answers any key a person types without knowing which kind it is; ByActivityDay
DAYPK = "DAY#<yyyy-mm-dd>"; ByDueDate DUEPK = "DUE#<yyyy-mm-dd>"; OpenItems OPK = "CUST#<id>" on live items
only (sparse); ByName NPK = "NAME#<first letter>" with a normalised name/email/phone in NSK.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

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


# --- autopay, payment plans, saved payment methods, notices (issue 4) ------------------------------------------
#   CUST#<id>  PM#<method_id>                   saved payment method (processor token, brand, last four)
#              AUTOPAY#<account_number>         autopay enrolment of an account: at most one (the create guard),
#                                               listed in ByDueDate under DUEPK = AUTOPAY#ENROLLED
#              INST#<schedule_id>#<nn>          a plan instalment's due-date entry (ByDueDate, DUE#<date>)
#              PLANINV#<invoice_id>             an invoice is in an active plan (guard: at most one plan each)
#              NOTICE#<kind>#<subject>#<date>   a reminder/notice was sent (TTL): at most once per kind
AUTOPAY_ENROLLED = "AUTOPAY#ENROLLED"


def payment_method_sk(method_id: str) -> str:
    return f"PM#{method_id}"


def autopay_enrolment_sk(account_number: str) -> str:
    return f"AUTOPAY#{account_number}"


def autopay_enrolment_due_sk(days_before_due: int, customer_id: str, account_number: str) -> str:
    """Sorted by lead time, so a run can read the enrolments of one ``days_before_due`` with a key condition."""
    return f"{days_before_due:02d}#{customer_pk(customer_id)}#{account_number}"


def instalment_sk(schedule_id: str, number: int) -> str:
    return f"INST#{schedule_id}#{number:02d}"


def instalment_due_sk(customer_id: str, schedule_id: str, number: int) -> str:
    return f"{customer_pk(customer_id)}#{instalment_sk(schedule_id, number)}"


def plan_invoice_sk(invoice_id: str) -> str:
    return f"PLANINV#{invoice_id}"


def notice_sk(kind: str, subject: str, due: date) -> str:
    return f"NOTICE#{kind}#{subject}#{due.isoformat()}"


# The sandbox processor's own records (what a real processor keeps on its side), in the ledger table because
# a deployed sandbox has no other store; they never share a partition with ledger entities.
def sandbox_charge_key(idempotency_key: str) -> dict[str, str]:
    return {"PK": f"SANDBOX#CHARGE#{idempotency_key}", "SK": "CHARGE"}


def sandbox_transaction_key(transaction_id: str) -> dict[str, str]:
    return {"PK": f"SANDBOX#TXN#{transaction_id}", "SK": "TXN"}


def sandbox_refund_key(idempotency_key: str) -> dict[str, str]:
    return {"PK": f"SANDBOX#REFUND#{idempotency_key}", "SK": "REFUND"}


# --- customer portal: profile, linking, guest access, support (issue 3) ------------------------------------
#   CUST#<id>                #EMAIL_CHANGE             the one pending email change (hashed code, TTL)
#   SUPKEY#<id>#<key digest> SUPKEY                    a support request's Idempotency-Key guard
#   RATE#<rule>#<subject>    <window start, epoch s>   a rate-limit counter (TTL: the window's end)
EMAIL_CHANGE = "#EMAIL_CHANGE"


def email_change_key(customer_id: str) -> dict[str, str]:
    return {"PK": customer_pk(customer_id), "SK": EMAIL_CHANGE}


def support_guard_key(customer_id: str, idempotency_key: str) -> dict[str, str]:
    """Keyed by a digest of the Idempotency-Key: the key is client-chosen text."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return {"PK": f"SUPKEY#{customer_id}#{digest}", "SK": "SUPKEY"}


def rate_counter_key(rule: str, subject: str, window_start: int) -> dict[str, str]:
    return {"PK": f"RATE#{rule}#{subject}", "SK": str(window_start)}


def guest_decoy_key() -> dict[str, str]:
    """A key that never holds an item: read in place of an unknown invoice's owner, so a guess at a number
    that does not exist costs the same reads as a wrong proof for one that does."""
    return {"PK": "GUEST#DECOY", "SK": PROFILE}


# --- payments: processor reports (issue 4) ---------------------------------------------------------------------
#   PROCEVT#<processor>#<event_id>   PROCEVT     a processor webhook event that was applied (TTL: 90 days)
#   CUST#<id>                        ALLOC#<payment_id>#...   (prefix) every allocation of one payment


def processor_event_key(processor: str, event_id: str) -> dict[str, str]:
    return {"PK": f"PROCEVT#{processor}#{event_id}", "SK": "PROCEVT"}


def allocations_prefix(payment_id: str) -> str:
    return f"ALLOC#{payment_id}#"


# --- documents and statements (issue 3) -------------------------------------------------------------------------
#   CUST#<id>  DOC#<document_id>    a document attached to the customer (bytes in S3); ids sort by creation time
#   Statements read the partition by SK prefix (INV#, PAY#, CN#, ALLOC#): see adapters/dynamodb/history.py.
INVOICE_PREFIX = "INV#"
PAYMENT_PREFIX = "PAY#"
CREDIT_NOTE_PREFIX = "CN#"
ALLOCATION_PREFIX = "ALLOC#"
DOCUMENT_PREFIX = "DOC#"


def document_sk(document_id: str) -> str:
    return f"{DOCUMENT_PREFIX}{document_id}"


def document_key(customer_id: str, document_id: str) -> dict[str, str]:
    return {"PK": customer_pk(customer_id), "SK": document_sk(document_id)}


def unread_notice_osk(document_id: str) -> str:
    """OpenItems sort key of an unread notice (the dashboard counts them in its one OpenItems query)."""
    return f"NOTICE#{document_id}"


def request_claim_sk(scope: str, idempotency_key: str) -> str:
    """``REQKEY#<scope>#<digest>``: an Idempotency-Key claimed by a create (hashed: keys are client-chosen text)."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"REQKEY#{scope}#{digest}"


# --- staff console: search pointers, last known balances, interactions, activity (issue 5) --------------------
#   CUST#<id>  SRCH#EMAIL | SRCH#PHONE        pointer items that make a profile findable by email / phone prefix
#                                             (ByName: NPK = EMAIL#<first char> | PHONE#<first digit>)
#              #BALANCE#<department>          the last good answer of the department's connected system
#              REQKEY#interaction#<digest>    an interaction's Idempotency-Key claim (see request_claim_sk)
#   ByActivityDay also holds allocations (DAYSK <applied_at>#<payment_id>#<invoice_id>) and interactions
#   (DAYSK <at>#<interaction_id>) beside payments, so a day's collections and exceptions are one Query per day;
#   readers tell them apart by ``type``.
EMAIL_POINTER = "SRCH#EMAIL"
PHONE_POINTER = "SRCH#PHONE"
SEARCH_POINTERS = (EMAIL_POINTER, PHONE_POINTER)
LAST_BALANCE_PREFIX = "#BALANCE#"
INTERACTION_PREFIX = "INT#"
# The header of a customer's partition: every "#..." item (profile, last known balances) and every account.
PARTITION_HEADER_FIRST = "#"
PARTITION_HEADER_LAST = "ACCT#\uffff"


def normalise_email(text: str) -> str:
    return "".join(ch for ch in text.strip().lower() if not ch.isspace())


def email_partition(text: str) -> str:
    return f"EMAIL#{normalise_email(text)[:1] or '_'}"


def normalise_phone(text: str) -> str:
    """Digits only, without a leading North American country code: no NANP area code starts with 1, so
    '+1 (217) 555-0142', '1-217-555-0142' and '217 555 0142' all become '2175550142'."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[1:] if digits.startswith("1") else digits


def phone_partition(text: str) -> str:
    return f"PHONE#{normalise_phone(text)[:1] or '_'}"


def last_balance_key(customer_id: str, department: str) -> dict[str, str]:
    return {"PK": customer_pk(customer_id), "SK": f"{LAST_BALANCE_PREFIX}{department}"}


def interaction_claim_key(customer_id: str, actor: str, idempotency_key: str) -> dict[str, str]:
    """Scoped to the staff member: two agents choosing the same key for one customer do not collide."""
    return {"PK": customer_pk(customer_id), "SK": request_claim_sk("interaction", f"{actor}\n{idempotency_key}")}


def allocation_day_sk(at: datetime, payment_id: str, invoice_id: str) -> str:
    return f"{at.isoformat()}#{payment_id}#{invoice_id}"


def interaction_day_sk(at: datetime, interaction_id: str) -> str:
    return f"{at.isoformat()}#{interaction_id}"


# --- staff actions: exceptions, adjustments, approvals (issue 5, part 2) -----------------------------------------

ADJUSTMENT_PREFIX = "ADJ#"
APPROVALS_LIST = "APPROVALS"  # ByActivityDay partition of every approval, DAYSK = <created_at>#<id>: the queue


def adjustment_sk(adjustment_id: str) -> str:
    return f"{ADJUSTMENT_PREFIX}{adjustment_id}"


def staff_action_guard_key(scope: str, idempotency_key: str) -> dict[str, str]:
    """Claimed in the transaction of a staff action: one key (or one approval) applies its action once, ever."""
    digest = hashlib.sha256(f"{scope}\n{idempotency_key}".encode()).hexdigest()
    return {"PK": f"ACTKEY#{digest}", "SK": "ACTKEY"}


def approvals_list_sk(created_at: datetime, approval_id: str) -> str:
    return f"{created_at.isoformat()}#{approval_id}"


# --- applying held credit (issue 4) ------------------------------------------------------------------------------

CREDIT_APPLICATION_PREFIX = "CAPP#"


def credit_application_sk(application_id: str) -> str:
    """``CUST#<id>`` / ``CAPP#<application_id>``: what one application of credit did (its parts, for replays)."""
    return f"{CREDIT_APPLICATION_PREFIX}{application_id}"


def credit_application_guard_key(customer_id: str, scope: str, idempotency_key: str) -> dict[str, str]:
    """``CUST#<id>`` / ``REQKEY#credit#<digest>``: an Idempotency-Key applies credit once, ever (no TTL)."""
    return {"PK": customer_pk(customer_id), "SK": request_claim_sk("credit", f"{scope}\n{idempotency_key}")}


# --- payment intents (issue 10) ------------------------------------------------------------------------------
#   PAYINTENT#<charge key>   PAYINTENT   a payment about to be charged, keyed by the processor's idempotency key
#                                        (``<scope>:<Idempotency-Key>``); open -> posted | closed
#   OpenItems while open: OPK = PAYINTENTS#OPEN, OSK = <created_at, fixed-width UTC>#<charge key>, so the
#   reconciler reads the open intents older than a cut-off with one key-condition query, oldest first.
OPEN_INTENTS = "PAYINTENTS#OPEN"


def payment_intent_key(charge_key: str) -> dict[str, str]:
    return {"PK": f"PAYINTENT#{charge_key}", "SK": "PAYINTENT"}


def index_time(at: datetime) -> str:
    """A fixed-width UTC timestamp, so sort keys compare as the instants they name (``isoformat`` drops zero
    microseconds, which would not)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def open_intent_osk(created_at: datetime, charge_key: str) -> str:
    return f"{index_time(created_at)}#{charge_key}"
