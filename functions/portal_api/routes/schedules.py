"""Portal routes: the signed-in customer's schedules (autopay enrolments and payment plans), view only.

Enrolling and cancelling (POST/DELETE /v1/portal/schedules) live in ``autopay.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import Field

from arportal.adapters.dynamodb import keys
from arportal.adapters.dynamodb.portal_queries import DynamoPortalReader
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_customer
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE
from arportal.api.schemas import MoneyOut, Out
from arportal.config import settings
from arportal.domain import models as m
from arportal.services import portal_views
from portal_api.schemas_views import page_cursor, page_start

router = new_router()


class InstalmentOut(Out):
    due_date: date
    amount: MoneyOut
    status: str
    payment_id: str | None


class ScheduleOut(Out):
    schedule_id: str
    kind: str = Field(description="autopay or plan")
    account_number: str
    active: bool
    days_before_due: int
    payment_method_id: str | None
    created_at: datetime
    instalments: list[InstalmentOut]

    @classmethod
    def of(cls, s: m.Schedule) -> ScheduleOut:
        return cls(
            schedule_id=s.schedule_id,
            kind=s.kind.value,
            account_number=s.account_number,
            active=s.active,
            days_before_due=s.days_before_due,
            payment_method_id=s.payment_method_id,
            created_at=s.created_at,
            instalments=[
                InstalmentOut(
                    due_date=i.due_date,
                    amount=MoneyOut.of(i.amount, s.currency),
                    status=i.status.value,
                    payment_id=i.payment_id,
                )
                for i in s.instalments
            ],
        )


class ScheduleListOut(Out):
    schedules: list[ScheduleOut]
    next_cursor: str | None


@router.get(
    "/v1/portal/schedules",
    tags=["portal"],
    summary="Your autopay enrolments and payment plans, with each instalment's date, amount and status",
)
def list_schedules(
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size, 1-{MAX_PAGE}")] = DEFAULT_PAGE,
) -> ScheduleListOut:
    customer_id = require_customer(current_caller(router))
    start = page_start(cursor, customer_id, keys.schedule_sk(""))
    page = portal_views.schedules(DynamoPortalReader(settings().ledger_table), customer_id, limit=limit, start=start)
    return ScheduleListOut(schedules=[ScheduleOut.of(s) for s in page.items], next_cursor=page_cursor(page.next_key))
