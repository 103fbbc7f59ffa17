"""The settlement machine's Tasks (``statemachines/settlement.asl.json``): list the processor's payouts into S3
chunks (over as many invocations as the listing needs: it stops before the Lambda's time runs out and answers where
it stopped), match one chunk (each item of the Distributed Map), finish (payouts, missing payments, the cursor).

Each returns small JSON: the map's results are discarded, the counts live in the chunk markers, so a day of
100,000 payments never passes through the machine's 256 KB state.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from arportal import clock
from arportal.services import payout_settlement
from arportal.wiring import imports, stores, workflows

_RUN = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class _Input(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Position(_Input):
    since: date
    listed: dict[str, int] = Field(default_factory=dict, max_length=1000)
    payout: str | None = Field(default=None, max_length=255)
    after: str | None = Field(default=None, max_length=255)
    chunk: int = Field(default=1, ge=1)
    chunks: int = Field(default=0, ge=0)


class EarlierListing(_Input):
    """What the previous ``ListPayouts`` of the same execution answered, when it stopped before the end."""

    today: date
    position: Position | None = None


class ListInput(_Input):
    today: date | None = None  # default: today by the product's clock
    listing: EarlierListing | None = None


class ChunkInput(_Input):
    run: str = _RUN
    key: str = Field(min_length=1, max_length=1024, pattern=r"^settlement/")


class FinishInput(_Input):
    run: str = _RUN
    today: date


def list_payouts(event: dict[str, Any], remaining_ms: Callable[[], int] | None = None) -> dict[str, Any]:
    """Lists until done or until the invocation's time (``remaining_ms``, the Lambda context's) runs low; then
    answers ``position``, which the machine passes back in ``listing`` (a Choice loops to this task)."""
    data = ListInput.model_validate(event.get("input") or {})
    earlier = data.listing
    stopped = earlier.position if earlier is not None else None
    position = payout_settlement.ListingPosition.of(stopped.model_dump(mode="json")) if stopped else None
    listing = payout_settlement.list_payouts(
        earlier.today if earlier is not None and stopped else data.today or clock.today(),
        processor=stores.processor(),
        store=workflows.payout_settlement(),
        files=imports.import_files(),
        position=position,
        time_left=(lambda: remaining_ms() / 1000) if remaining_ms else (lambda: math.inf),
    )
    return {
        "banking_day": listing.banking_day,
        "today": listing.today.isoformat(),
        "run": listing.run,
        "chunks_prefix": listing.chunks_prefix,
        "chunks": listing.chunks,
        "payouts": listing.payouts,
        "position": listing.position.as_json() if listing.position else None,
    }


def match_chunk(event: dict[str, Any]) -> dict[str, Any]:
    data = ChunkInput.model_validate(event)
    return payout_settlement.match_chunk(
        data.run,
        data.key,
        store=workflows.payout_settlement(),
        files=imports.import_files(),
        metrics=workflows.settlement_metrics(),
        now=clock.now(),
    )


def finish_settlement(event: dict[str, Any]) -> dict[str, Any]:
    data = FinishInput.model_validate(event)
    return payout_settlement.finish_settlement(
        data.run,
        today=data.today,
        store=workflows.payout_settlement(),
        files=imports.import_files(),
        metrics=workflows.settlement_metrics(),
        now=clock.now(),
    )


# Tasks handed the invocation's remaining time (the Lambda context's ``get_remaining_time_in_millis``).
TIMED_TASKS: dict[str, Callable[[dict[str, Any], Callable[[], int]], dict[str, Any]]] = {
    "list_payouts": list_payouts,
}
TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "list_payouts": list_payouts,
    "match_chunk": match_chunk,
    "finish_settlement": finish_settlement,
}
