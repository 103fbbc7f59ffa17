"""In-memory implementations of the ports, for unit tests of services (no moto, no mocks)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

from pydantic import BaseModel

from arportal import ports as payment_ports
from arportal.domain import models as payment_models
from arportal.domain.errors import ConflictError, DependencyError
from arportal.domain.models import Account, AuditEvent, CreditNote, Customer, Invoice, Payment, Receipt, Schedule
from arportal.domain.payouts import BalanceTransaction, Payout
from arportal.domain.posting import Posting
from arportal.domain.search import SearchKind
from arportal.ports import (
    ChargeRequest,
    ChargeResult,
    CustomerSnapshot,
    LookupHit,
    PaymentProcessor,
    SavedMethodResult,
)


class InMemoryCustomerRecords:
    """Keeps records in lists; answers the read ports the way the DynamoDB adapter does."""

    def __init__(self) -> None:
        self.records: list[BaseModel] = []
        self.reads = 0

    def put_new(self, records: Sequence[BaseModel]) -> None:
        self.records.extend(records)

    def _of(self, cls: type, customer_id: str) -> list:  # type: ignore[type-arg]
        return [r for r in self.records if isinstance(r, cls) and getattr(r, "customer_id", None) == customer_id]

    def get(self, customer_id: str) -> Customer | None:
        self.reads += 1
        found = self._of(Customer, customer_id)
        return found[0] if found else None

    def snapshot(self, customer_id: str, *, recent_payments: int = 5) -> CustomerSnapshot | None:
        self.reads += 2
        profile = self._of(Customer, customer_id)
        if not profile:
            return None
        payments = sorted(self._of(Payment, customer_id), key=lambda p: p.payment_id, reverse=True)
        return CustomerSnapshot(
            customer=profile[0],
            accounts=self._of(Account, customer_id),
            open_invoices=[i for i in self._of(Invoice, customer_id) if i.balance > 0 and not i.voided],
            credit_notes=[c for c in self._of(CreditNote, customer_id) if c.remaining > 0],
            schedules=[s for s in self._of(Schedule, customer_id) if s.active],
            recent_payments=payments[:recent_payments],
            unread_notices=[d for d in self._of(payment_models.Document, customer_id) if d.unread_notice],
        )

    def lookup(self, kind: SearchKind | None, value: str, *, limit: int = 10) -> list[LookupHit]:
        self.reads += 1
        wanted = value.strip().upper()
        hits: list[LookupHit] = []
        for r in self.records:
            for hit_kind, key, entity_type, entity_id in _keys_of(r):
                if key.upper() == wanted and (kind is None or kind is hit_kind):
                    hits.append(
                        LookupHit(
                            hit_kind, entity_type, entity_id, getattr(r, "customer_id", None), r.model_dump(mode="json")
                        )
                    )
        return hits[:limit]

    def customers_and_payments(
        self, customer_ids: Sequence[str], payments: Sequence[tuple[str | None, str]]
    ) -> tuple[dict[str, Customer], dict[str, dict[str, object]]]:
        self.reads += 1
        wanted = {pid for _, pid in payments}
        return (
            {c.customer_id: c for c in self.records if isinstance(c, Customer) and c.customer_id in customer_ids},
            {
                p.payment_id: p.model_dump(mode="json")
                for p in self.records
                if isinstance(p, Payment) and p.payment_id in wanted
            },
        )


def _keys_of(r: BaseModel) -> list[tuple[SearchKind, str, str, str]]:
    match r:
        case Customer():
            return [(SearchKind.CUSTOMER_ID, r.customer_id, "customer", r.customer_id)]
        case Account():
            return [(SearchKind.ACCOUNT_NUMBER, r.account_number, "account", r.account_number)]
        case Invoice():
            return [(SearchKind.INVOICE_NUMBER, r.invoice_number, "invoice", r.invoice_id)]
        case Payment():
            keys = [(SearchKind.PAYMENT_ID, r.payment_id, "payment", r.payment_id)]
            if r.transaction_id:
                keys.append((SearchKind.TRANSACTION_ID, r.transaction_id, "transaction", r.payment_id))
            return keys
        case Receipt():
            return [(SearchKind.RECEIPT_NUMBER, r.receipt_number, "receipt", r.receipt_number)]
    return []


class InMemoryPaymentPosting:
    """The payment ledger port with the adapter's semantics: a posting applies whole or not at all, guarded
    by its key, and each invoice update is conditioned on the version that was read."""

    def __init__(self, invoices: Sequence[Invoice] = (), accounts: Sequence[Account] = ()) -> None:
        self.invoices_by_id: dict[str, Invoice] = {i.invoice_id: i for i in invoices}
        self.accounts = {(a.customer_id, a.account_number): a for a in accounts}
        self.payments: dict[str, Payment] = {}
        self.guards: dict[tuple[str, str], str] = {}
        self.postings: list[Posting] = []
        self.credits: list[CreditNote] = []
        self.audit: list[AuditEvent] = []
        self.before_post: Callable[[], None] | None = None  # a hook to make a racing write happen

    def open_invoices(self, customer_id: str) -> list[Invoice]:
        return [i for i in self.invoices_by_id.values() if i.customer_id == customer_id and i.balance > 0]

    def invoices(self, customer_id: str | None, invoice_ids: list[str]) -> list[Invoice]:
        return [
            self.invoices_by_id[i]
            for i in invoice_ids
            if i in self.invoices_by_id and self.invoices_by_id[i].customer_id == customer_id
        ]

    def account(self, customer_id: str, account_number: str) -> Account | None:
        return self.accounts.get((customer_id, account_number))

    def customer_accounts(self, customer_id: str) -> list[Account]:
        return [a for (owner, _), a in self.accounts.items() if owner == customer_id]

    def posted_payment(self, scope: str, idempotency_key: str) -> Payment | None:
        pid = self.guards.get((scope, idempotency_key))
        return self.payments[pid] if pid else None

    def post(self, posting: Posting, *, scope: str, idempotency_key: str, audit: AuditEvent) -> None:
        if self.before_post:
            hook, self.before_post = self.before_post, None
            hook()
        if (scope, idempotency_key) in self.guards:
            raise ConflictError("key used")
        for change in posting.invoice_changes:
            if self.invoices_by_id[change.before.invoice_id].version != change.before.version:
                raise ConflictError("invoice changed")
        self.guards[(scope, idempotency_key)] = posting.payment.payment_id
        self.payments[posting.payment.payment_id] = posting.payment
        for change in posting.invoice_changes:
            self.invoices_by_id[change.after.invoice_id] = change.after
        if posting.credit:
            self.credits.append(posting.credit)
        self.postings.append(posting)
        self.audit.append(audit)


class CountingProcessor:
    """Wraps a processor and counts the charges that reached it."""

    def __init__(self, inner: PaymentProcessor) -> None:
        self.inner = inner
        self.name = inner.name
        self.charges: list[ChargeRequest] = []

    def charge(self, request: ChargeRequest) -> ChargeResult:
        self.charges.append(request)
        return self.inner.charge(request)

    def find_charge(self, idempotency_key: str) -> ChargeResult | None:
        return self.inner.find_charge(idempotency_key)

    def save_payment_method(self, customer_id: str, token: str, *, idempotency_key: str) -> SavedMethodResult:
        return self.inner.save_payment_method(customer_id, token, idempotency_key=idempotency_key)

    def represent_debit(self, transaction_id: str, request: ChargeRequest) -> ChargeResult:
        self.charges.append(request)
        return self.inner.represent_debit(transaction_id, request)

    def payouts(self, *, arrived_since: date, arrived_until: date) -> list[Payout]:
        return self.inner.payouts(arrived_since=arrived_since, arrived_until=arrived_until)

    def payout_transactions(self, payout_id: str) -> list[BalanceTransaction]:
        return self.inner.payout_transactions(payout_id)


# --- payments: processor reports and receipts (issue 4) --------------------------------------------------------


class InMemoryPaymentStatusStore:
    """The payment-status port over an ``InMemoryPaymentPosting``'s records, with the adapter's semantics: a change
    applies whole or not at all, once per event id, conditioned on the payment's status and version, every
    invoice's version and the credit note's remaining amount, as read."""

    def __init__(self, ledger: InMemoryPaymentPosting) -> None:
        self.ledger = ledger
        self.events: dict[tuple[str, str], payment_ports.AppliedProcessorEvent] = {}
        self.audit: list[AuditEvent] = []
        self.outbox: list[tuple[str, str]] = []  # (detail type, payment id)
        self.before_apply: Callable[[], None] | None = None  # a hook to make a racing write happen

    def payment_for_transaction(self, transaction_id: str) -> tuple[str | None, str] | None:
        found = [p for p in self.ledger.payments.values() if p.transaction_id == transaction_id]
        return (found[0].customer_id, found[0].payment_id) if found else None

    def payment_state(
        self, customer_id: str | None, payment_id: str, *, credit_note_id: str
    ) -> payment_ports.PaymentState | None:
        payment = self.ledger.payments.get(payment_id)
        if payment is None or payment.customer_id != customer_id:
            return None
        allocations = [a for p in self.ledger.postings for a in p.allocations if a.payment_id == payment_id]
        invoices = [self.ledger.invoices_by_id[a.invoice_id] for a in allocations]
        credit = next((c for c in self.ledger.credits if c.credit_note_id == credit_note_id), None)
        return payment_ports.PaymentState(payment, allocations, invoices, credit)

    def applied_event(self, processor: str, event_id: str) -> payment_ports.AppliedProcessorEvent | None:
        return self.events.get((processor, event_id))

    def apply_status_change(
        self, change: payment_ports.PaymentStatusChange, *, processor: str, event_id: str, audit: AuditEvent
    ) -> None:
        if self.before_apply:
            hook, self.before_apply = self.before_apply, None
            hook()
        current = self.ledger.payments[change.before.payment_id]
        credits = {c.credit_note_id: c for c in self.ledger.credits}
        if (
            (processor, event_id) in self.events
            or (current.status, current.version) != (change.before.status, change.before.version)
            or any(
                self.ledger.invoices_by_id[c.before.invoice_id].version != c.before.version
                for c in change.invoice_changes
            )
            or (
                change.credit_before is not None
                and credits[change.credit_before.credit_note_id].remaining != change.credit_before.remaining
            )
        ):
            raise ConflictError("a condition failed; nothing was written")
        self.ledger.payments[current.payment_id] = change.after
        for invoice_change in change.invoice_changes:
            self.ledger.invoices_by_id[invoice_change.after.invoice_id] = invoice_change.after
        if change.credit_before is not None:
            credits.pop(change.credit_before.credit_note_id)
            if change.credit_after is not None:
                credits[change.credit_after.credit_note_id] = change.credit_after
            self.ledger.credits = list(credits.values())
        self.events[(processor, event_id)] = payment_ports.AppliedProcessorEvent(
            event_id, current.payment_id, change.after.status
        )
        self.audit.append(audit)
        self.outbox.append((f"payment.{change.after.status.value}", current.payment_id))


class ReceiptKit:
    """Everything ``services.receipts`` needs, in memory, over an ``InMemoryPaymentPosting``. ``failing`` names
    the steps that raise: "render", "store", "record", "mail", "profile"."""

    def __init__(self, ledger: InMemoryPaymentPosting, customers: Sequence[Customer] = (), agency: str = "Springfield"):
        self.ledger = ledger
        self.customers = {c.customer_id: c for c in customers}
        self.files: dict[str, bytes] = {}
        self.documents: list[payment_models.Document] = []
        self.sent: list[payment_ports.Email] = []
        self.failing: set[str] = set()
        self.agency = agency

    def _fail(self, step: str) -> None:
        if step in self.failing:
            raise RuntimeError(f"{step} failed (injected)")

    # PaymentRecords
    def payment_record(self, customer_id: str, payment_id: str) -> payment_ports.PaymentRecord | None:
        payment = self.ledger.payments.get(payment_id)
        if payment is None or payment.customer_id != customer_id:
            return None
        receipt = next((p.receipt for p in self.ledger.postings if p.payment.payment_id == payment_id), None)
        return payment_ports.PaymentRecord(
            payment, self.allocations(customer_id, payment_id), receipt, self.customers.get(customer_id)
        )

    def allocations(self, customer_id: str, payment_id: str) -> list[payment_models.Allocation]:
        return [
            a
            for p in self.ledger.postings
            for a in p.allocations
            if a.payment_id == payment_id and a.customer_id == customer_id
        ]

    def customer(self, customer_id: str) -> Customer | None:
        self._fail("profile")
        return self.customers.get(customer_id)

    def receipt_filed(self, customer_id: str, receipt_number: str) -> bool:
        return any(d.customer_id == customer_id and d.reference == receipt_number for d in self.documents)

    def receipt(self, customer_id: str, receipt_number: str) -> Receipt | None:
        found = (p.receipt for p in self.ledger.postings if p.receipt and p.payment.customer_id == customer_id)
        return next((r for r in found if r.receipt_number == receipt_number), None)

    # DocumentRepository (what receipts use of it)
    def add(self, document: payment_models.Document) -> None:
        self._fail("record")
        self.documents.append(document)

    def get(self, customer_id: str, document_id: str) -> payment_models.Document | None:
        found = (d for d in self.documents if d.customer_id == customer_id and d.document_id == document_id)
        return next(found, None)

    def mark_stored(self, customer_id: str, document_id: str, size: int) -> bool:
        for n, document in enumerate(self.documents):
            if document.customer_id == customer_id and document.document_id == document_id and document.size == 0:
                self.documents[n] = document.model_copy(update={"size": size})
                return True
        return False

    # DocumentStore
    def put(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> None:
        self._fail("store")
        self.files[key] = body

    def put_new(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> bool:
        self._fail("store")
        return self.files.setdefault(key, body) is body

    def url(self, key: str, *, filename: str, expires_in: int = 300) -> str:
        return f"https://files.example/{key}?expires={expires_in}"

    # Mailer
    def send(self, email: payment_ports.Email) -> str:
        self._fail("mail")
        self.sent.append(email)
        return f"msg-{len(self.sent)}"

    # ReceiptRenderer
    def render(self, receipt: Receipt, payment: Payment, *, agency_name: str, payer: str) -> bytes:
        self._fail("render")
        return f"%PDF-fake {receipt.receipt_number} {payer} {receipt.total}".encode()

    def services(self, portal_url: str | None = None):  # -> ReceiptServices (imported lazily: a service module)
        from arportal.services.receipts import ReceiptServices

        return ReceiptServices(
            records=self,
            documents=self,  # type: ignore[arg-type]  # only add(), get() and mark_stored() are used
            files=self,
            mailer=self,
            renderer=self,
            agency_name=self.agency,
            portal_url=portal_url,
        )


def in_memory_idempotency_store(*, fail_on_success: bool = False):  # -> BasePersistenceLayer
    """Powertools' idempotency persistence in memory, with the DynamoDB layer's conditions (thread-safe).
    ``fail_on_success``: saving the completed record fails, as a storage outage after the work would."""
    import threading
    import time

    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyItemAlreadyExistsError,
        IdempotencyItemNotFoundError,
    )
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

    class InMemoryIdempotencyStore(BasePersistenceLayer):
        def __init__(self) -> None:
            super().__init__()
            self.records: dict[str, DataRecord] = {}
            self.lock = threading.Lock()

        def _get_record(self, idempotency_key: str) -> DataRecord:
            with self.lock:
                if idempotency_key not in self.records:
                    raise IdempotencyItemNotFoundError
                return self.records[idempotency_key]

        def _put_record(self, data_record: DataRecord) -> None:
            with self.lock:
                existing = self.records.get(data_record.idempotency_key)
                now = time.time()
                if existing is not None and (existing.expiry_timestamp or 0) >= now:
                    stale = (
                        existing.status == "INPROGRESS"
                        and existing.in_progress_expiry_timestamp is not None
                        and existing.in_progress_expiry_timestamp < now * 1000
                    )
                    if not stale:
                        self._validate_payload(data_payload=data_record, stored_data_record=existing)
                        raise IdempotencyItemAlreadyExistsError(old_data_record=existing)
                self.records[data_record.idempotency_key] = data_record

        def _update_record(self, data_record: DataRecord) -> None:
            if fail_on_success:
                raise RuntimeError("the idempotency table is unavailable (injected)")
            with self.lock:
                self.records[data_record.idempotency_key] = data_record

        def _delete_record(self, data_record: DataRecord) -> None:
            with self.lock:
                self.records.pop(data_record.idempotency_key, None)

    return InMemoryIdempotencyStore()


class InMemoryRateCounter:
    """The rate-counter port with the adapter's semantics: fixed windows, a full window counts nothing more."""

    def __init__(self) -> None:
        self.hits: dict[tuple[str, str, int], int] = {}

    @staticmethod
    def _window(window_s: int, now: datetime) -> int:
        epoch = int(now.timestamp())
        return epoch - epoch % window_s

    def counts(self, wanted: Sequence[tuple[str, int, str]], *, now: datetime) -> list[int]:
        return [self.hits.get((rule, subject, self._window(window, now)), 0) for rule, window, subject in wanted]

    def add(self, rule: str, window_s: int, subject: str, *, limit: int, now: datetime) -> int | None:
        key = (rule, subject, self._window(window_s, now))
        if self.hits.get(key, 0) >= limit:
            return None
        self.hits[key] = self.hits.get(key, 0) + 1
        return self.hits[key]


# --- autopay, payment plans, saved methods, scheduled jobs (issue 4) -------------------------------------------


class InMemorySchedules:
    """Saved methods, schedules (with their guards), notice markers and the jobs' reads, as the DynamoDB adapters
    answer them: one autopay per account, an invoice in one active plan, a claimed key names one record."""

    def __init__(self, invoices: Sequence[Invoice] = (), customers: Sequence[Customer] = ()) -> None:
        self.invoices = {i.invoice_id: i for i in invoices}
        self.customers = {c.customer_id: c for c in customers}
        self.methods_: dict[str, payment_models.SavedPaymentMethod] = {}
        self.schedules: dict[str, Schedule] = {}
        self.claims: dict[tuple[str, str, str], payment_ports.RequestClaim] = {}
        self.notices: set[tuple[str, str, str, str]] = set()

    # PaymentMethodStore
    def methods(
        self, customer_id: str, *, limit: int, start: dict[str, object] | None = None
    ) -> payment_ports.MethodPage:
        mine = sorted((m for m in self.methods_.values() if m.customer_id == customer_id), key=lambda m: m.method_id)
        after = [m for m in mine if start is None or m.method_id > str(start["id"])]
        more = len(after) > limit
        return payment_ports.MethodPage(after[:limit], {"id": after[limit - 1].method_id} if more else None)

    def method(self, customer_id: str, method_id: str) -> payment_models.SavedPaymentMethod | None:
        found = self.methods_.get(method_id)
        return found if found is not None and found.customer_id == customer_id else None

    def claim(self, customer_id: str, scope: str, key: str) -> payment_ports.RequestClaim | None:
        return self.claims.get((customer_id, scope, key))

    def _claim(self, claim: payment_ports.RequestClaim) -> None:
        if (claim.customer_id, claim.scope, claim.key) in self.claims:
            raise ConflictError("key claimed")
        self.claims[(claim.customer_id, claim.scope, claim.key)] = claim

    def add(
        self, method: payment_models.SavedPaymentMethod, *, claim: payment_ports.RequestClaim, unset_default: str | None
    ) -> None:
        self._claim(claim)
        self.methods_[method.method_id] = method
        if unset_default:
            self.methods_[unset_default] = self.methods_[unset_default].model_copy(update={"is_default": False})

    def remove(
        self,
        method: payment_models.SavedPaymentMethod,
        *,
        moved: Sequence[Schedule] = (),
        replacement: str | None = None,
    ) -> None:
        del self.methods_[method.method_id]
        for schedule in moved:
            self.schedules[schedule.schedule_id] = schedule.model_copy(update={"payment_method_id": replacement})

    # ScheduleStore
    def schedule(self, customer_id: str, schedule_id: str) -> Schedule | None:
        found = self.schedules.get(schedule_id)
        return found if found is not None and found.customer_id == customer_id else None

    def active_schedules(self, customer_id: str) -> list[Schedule]:
        return [s for s in self.schedules.values() if s.customer_id == customer_id and s.active]

    def create(self, schedule: Schedule, *, claim: payment_ports.RequestClaim) -> None:
        live = self.active_schedules(schedule.customer_id)
        if schedule.kind.value == "autopay" and any(
            s.kind is schedule.kind and s.account_number == schedule.account_number for s in live
        ):
            raise ConflictError("account has autopay")
        if set(schedule.invoice_ids) & {i for s in live for i in s.invoice_ids}:
            raise ConflictError("invoice in a plan")
        if schedule.payment_method_id and self.method(schedule.customer_id, schedule.payment_method_id) is None:
            raise ConflictError("method gone")
        self._claim(claim)
        self.schedules[schedule.schedule_id] = schedule

    def close(self, schedule: Schedule, *, at: datetime) -> bool:
        current = self.schedules[schedule.schedule_id]
        if not current.active:
            return False
        self.schedules[schedule.schedule_id] = current.model_copy(update={"active": False, "closed_at": at})
        return True

    def save_instalments(self, schedule: Schedule, instalments: Sequence[payment_models.Instalment]) -> None:
        current = self.schedules[schedule.schedule_id]
        self.schedules[schedule.schedule_id] = current.model_copy(update={"instalments": list(instalments)})

    # DueItemsReader
    def autopay_enrolments(self) -> list[payment_ports.AutopayEnrolment]:
        return [
            payment_ports.AutopayEnrolment(s.schedule_id, s.customer_id, s.account_number, s.days_before_due)
            for s in self.schedules.values()
            if s.active and s.kind.value == "autopay"
        ]

    def due_on(self, day: date) -> payment_ports.DueItems:
        invoices = [i for i in self.invoices.values() if i.due_date == day and i.balance > 0 and not i.voided]
        instalments = [
            payment_ports.InstalmentDue(
                s.schedule_id, s.customer_id, s.account_number, n, i.due_date, i.amount, s.currency
            )
            for s in self.schedules.values()
            if s.active and s.kind.value == "plan"
            for n, i in enumerate(s.instalments, start=1)
            if i.due_date == day
        ]
        return payment_ports.DueItems(invoices, instalments)

    def plan_covered(self, invoices: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        planned = {(s.customer_id, i) for s in self.schedules.values() if s.active for i in s.invoice_ids}
        return {pair for pair in invoices if pair in planned}

    def schedules_by_key(self, keys_: Sequence[tuple[str, str]]) -> dict[str, Schedule]:
        return {sid: self.schedules[sid] for _, sid in keys_ if sid in self.schedules}

    def methods_by_key(self, keys_: Sequence[tuple[str, str]]) -> dict[str, payment_models.SavedPaymentMethod]:
        return {mid: self.methods_[mid] for _, mid in keys_ if mid in self.methods_}

    def invoices_by_key(self, keys_: Sequence[tuple[str, str]]) -> dict[str, Invoice]:
        return {iid: self.invoices[iid] for _, iid in keys_ if iid in self.invoices}

    def profiles(self, customer_ids: Sequence[str]) -> dict[str, Customer]:
        return {cid: self.customers[cid] for cid in customer_ids if cid in self.customers}

    def get(self, customer_id: str) -> Customer | None:  # CustomerRepository, for the failed-charge notice
        return self.customers.get(customer_id)

    # NoticeLog
    def claim_notice(self, customer_id: str, kind: str, subject: str, due: date) -> bool:
        key = (customer_id, kind, subject, due.isoformat())
        if key in self.notices:
            return False
        self.notices.add(key)
        return True


class InMemoryNotices:
    """The notice log over ``InMemorySchedules.notices``."""

    def __init__(self, store: InMemorySchedules) -> None:
        self.store = store

    def claim(self, customer_id: str, kind: str, subject: str, due: date, *, at: datetime, keep_until: date) -> bool:
        return self.store.claim_notice(customer_id, kind, subject, due)

    def release(self, customer_id: str, kind: str, subject: str, due: date) -> None:
        self.store.notices.discard((customer_id, kind, subject, due.isoformat()))


class RecordingStarter:
    """Step Functions' name rule: a name starts one execution, ever."""

    def __init__(self) -> None:
        self.started: dict[str, dict[str, object]] = {}

    def start_payment_retry(self, name: str, payload: Mapping[str, object]) -> bool:
        if name in self.started:
            return False
        self.started[name] = dict(payload)
        return True


class RecordingMailer:
    def __init__(self, *, failing: bool = False) -> None:
        self.sent: list[payment_ports.Email] = []
        self.failing = failing

    def send(self, email: payment_ports.Email) -> str:
        if self.failing:
            raise DependencyError("mail is down")
        self.sent.append(email)
        return f"msg-{len(self.sent)}"
