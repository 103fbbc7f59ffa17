"""A customer's own view of their records."""

from __future__ import annotations

from datetime import date

from arportal.domain.dashboard import Dashboard, build_dashboard
from arportal.domain.errors import NotFoundError
from arportal.domain.models import Customer
from arportal.ports import CustomerRepository


def profile(repo: CustomerRepository, customer_id: str) -> Customer:
    customer = repo.get(customer_id)
    if customer is None:
        raise NotFoundError("no customer record is linked to this sign-in")
    return customer


def dashboard(repo: CustomerRepository, customer_id: str, *, today: date, currency: str) -> Dashboard:
    """Two reads: the customer's live items with their unread notices (one index query) and their latest payments
    (one query)."""
    snapshot = repo.snapshot(customer_id)
    if snapshot is None:
        raise NotFoundError("no customer record is linked to this sign-in")
    return build_dashboard(
        currency=currency,
        today=today,
        accounts=snapshot.accounts,
        open_invoices=snapshot.open_invoices,
        credit_notes=snapshot.credit_notes,
        schedules=snapshot.schedules,
        recent_payments=snapshot.recent_payments,
        notices=snapshot.unread_notices,
    )
