"""Series of tries: a payer's attempts at paying one thing, so the success rate "with retries" can count a
declined attempt and the successful try after it as one series that succeeded (``domain/daily_totals.py``).

An interactive attempt continues the open series of the same customer and the same invoices (the set its plan
pays; an account's or credit's payment: that account) when that series was started at most ``SERIES_WINDOW``
before and its last try was declined; otherwise it starts one. A success closes the series, so the next payment
of the same invoices is a series of its own. A scheduled charge is one series: the payment_retry machine makes
its tries and one record for all of them (``Payment.attempt``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from arportal.domain.models import Payment, SeriesRef
from arportal.domain.status import PaymentStatus

SERIES_WINDOW = timedelta(hours=24)  # from the series' first attempt: its retries are taken within a day of it


@dataclass(frozen=True)
class OpenSeries:
    """A series whose last try was declined: the next try at the same thing continues it."""

    ref: SeriesRef
    attempt: int  # the last try's number


def series_key(invoice_ids: Iterable[str], account_number: str | None) -> str:
    """What a try is at paying: its invoices (in any order), else the account its money goes to."""
    ids = sorted(set(invoice_ids))
    what = "inv:" + ",".join(ids) if ids else f"acct:{account_number or ''}"
    return hashlib.sha256(what.encode()).hexdigest()[:32]


def continues(series: OpenSeries | None, now: datetime) -> OpenSeries | None:
    """The open series a try taken ``now`` continues, if any."""
    if series is None or not timedelta(0) <= now - series.ref.started_at <= SERIES_WINDOW:
        return None
    return series


def in_series(payment: Payment, series: OpenSeries | None) -> Payment:
    """The new attempt, as the series' next try (or unchanged: it starts its own)."""
    if series is None:
        return payment
    return payment.model_copy(update={"series": series.ref, "attempt": series.attempt + 1})


def after_try(payment: Payment) -> OpenSeries | None:
    """The series left open by this try: the declined try's series (None: it succeeded, the series is closed)."""
    if payment.status is not PaymentStatus.FAILED:
        return None
    ref = payment.series or SeriesRef(
        series_id=payment.payment_id,
        started_at=payment.created_at,
        channel=payment.channel,
        method=payment.method.type,
    )
    return OpenSeries(ref, payment.attempt)
