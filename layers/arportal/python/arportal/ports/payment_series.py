"""Where the open series of a payer's tries are kept (``domain/payment_series.py``): one item per customer and
thing paid, read by key before a try and written after it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from arportal.domain.payment_series import OpenSeries


@runtime_checkable
class SeriesTracking(Protocol):
    """A payment ledger that keeps open series (the DynamoDB ledger does; ``payments.pay`` links tries whenever
    its ledger is one)."""

    def open_series(self, customer_id: str, key: str, *, now: datetime) -> OpenSeries | None: ...

    def keep_series(self, customer_id: str, key: str, series: OpenSeries, *, until: datetime) -> None:
        """Hold ``series`` open (unless a later try of it is held already) until ``until``."""
        ...

    def close_series(self, customer_id: str, key: str, series_id: str) -> None:
        """Close the series held under ``key`` if it is ``series_id``."""
        ...
