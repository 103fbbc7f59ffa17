"""In-memory implementations of the ports, for unit tests of services (no moto, no mocks)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel

from arportal.domain.errors import ConflictError
from arportal.domain.models import Account, AuditEvent, CreditNote, Customer, Invoice, Payment, Receipt, Schedule
from arportal.domain.posting import Posting
from arportal.domain.search import SearchKind
from arportal.ports import ChargeRequest, ChargeResult, CustomerSnapshot, LookupHit, PaymentProcessor


class InMemoryLedger:
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


class InMemoryPaymentLedger:
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
