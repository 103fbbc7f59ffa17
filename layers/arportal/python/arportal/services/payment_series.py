"""Linking a payer's tries (``domain/payment_series.py``) around ``payments.pay``: the open series read before
the charge, and left open or closed after the try is posted. Only the metrics depend on it, so a store failing
here makes the try a series of its own, never a failed payment."""

from __future__ import annotations

import logging
from datetime import datetime

from arportal.domain.errors import DependencyError
from arportal.domain.models import Payment
from arportal.domain.payment_series import SERIES_WINDOW, OpenSeries, continues
from arportal.domain.payment_series import after_try as left_open_by
from arportal.ports import PaymentPosting
from arportal.ports.payment_series import SeriesTracking

logger = logging.getLogger("arportal.payments")


def open_series(ledger: PaymentPosting, customer_id: str | None, what: str, now: datetime) -> OpenSeries | None:
    """The declined series a try taken ``now`` at ``what`` continues, when the ledger keeps series."""
    if not isinstance(ledger, SeriesTracking) or customer_id is None:
        return None
    try:
        return continues(ledger.open_series(customer_id, what, now=now), now)
    except DependencyError:
        logger.warning("open series not read; this try starts its own", exc_info=True)
        return None


def after_try(ledger: PaymentPosting, customer_id: str | None, what: str, payment: Payment) -> None:
    """A declined try leaves its series open for the next one; a success closes it."""
    if not isinstance(ledger, SeriesTracking) or customer_id is None:
        return
    left_open = left_open_by(payment)
    try:
        if left_open is not None:
            ledger.keep_series(customer_id, what, left_open, until=left_open.ref.started_at + SERIES_WINDOW)
        elif payment.series is not None:
            ledger.close_series(customer_id, what, payment.series.series_id)
    except DependencyError:
        logger.warning("series of tries not updated", extra={"payment_id": payment.payment_id}, exc_info=True)
