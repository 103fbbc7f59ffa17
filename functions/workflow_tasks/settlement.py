"""The settlement machine's Tasks (``statemachines/settlement.asl.json``): list a day's payments that have not
settled yet, mark each settled (a Map state), and report what the processor deposits for them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from arportal import clock
from arportal.ports import SettlementCandidate
from arportal.services import settlement
from arportal.wiring import workflows


class _Input(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SettlementInput(_Input):
    day: date | None = None


class MarkSettledInput(_Input):
    day: date
    payment: dict[str, Any]


class ReportInput(_Input):
    day: date
    results: list[dict[str, Any]]


def settlement_candidates(event: dict[str, Any]) -> dict[str, Any]:
    data = SettlementInput.model_validate(event.get("input") or {})
    day = data.day or (clock.today() - timedelta(days=1))
    found = settlement.settlement_candidates(workflows.settlement_store(), day)
    return {"day": day.isoformat(), "payments": [asdict(c) for c in found]}


def mark_settled(event: dict[str, Any]) -> dict[str, Any]:
    data = MarkSettledInput.model_validate(event)
    candidate = SettlementCandidate(**data.payment)
    outcome = settlement.mark_settled(workflows.settlement_store(), candidate, day=data.day, now=clock.now())
    return asdict(outcome)


def settlement_report(event: dict[str, Any]) -> dict[str, Any]:
    data = ReportInput.model_validate(event)
    outcomes = [
        settlement.SettlementOutcome(
            SettlementCandidate(**r["candidate"]), settled=bool(r["settled"]), status=r.get("status")
        )
        for r in data.results
    ]
    return asdict(settlement.settlement_report(data.day, outcomes))


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "settlement_candidates": settlement_candidates,
    "mark_settled": mark_settled,
    "settlement_report": settlement_report,
}
