"""The settlement machine's Tasks (``statemachines/settlement.asl.json``): list the processor's payouts into S3
chunks, match one chunk (each item of the Distributed Map), finish (payouts, missing payments, the cursor).

Each returns small JSON: the map's results are discarded, the counts live in the chunk markers, so a day of
100,000 payments never passes through the machine's 256 KB state.
"""

from __future__ import annotations

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


class ListInput(_Input):
    today: date | None = None  # default: today by the product's clock


class ChunkInput(_Input):
    run: str = _RUN
    key: str = Field(min_length=1, max_length=1024, pattern=r"^settlement/")


class FinishInput(_Input):
    run: str = _RUN
    today: date


def list_payouts(event: dict[str, Any]) -> dict[str, Any]:
    data = ListInput.model_validate(event.get("input") or {})
    listing = payout_settlement.list_payouts(
        data.today or clock.today(),
        processor=stores.processor(),
        store=workflows.payout_settlement(),
        files=imports.import_files(),
    )
    return {
        "banking_day": listing.banking_day,
        "today": listing.today.isoformat(),
        "run": listing.run,
        "chunks_prefix": listing.chunks_prefix,
        "chunks": listing.chunks,
        "payouts": listing.payouts,
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


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "list_payouts": list_payouts,
    "match_chunk": match_chunk,
    "finish_settlement": finish_settlement,
}
