"""The event feed: ``GET /v1/integrations/events``, every event the platform published, oldest first (scope
``events.read``).

A back end reads it to reconcile without webhooks, or to catch up after downtime: from the oldest event kept (no
cursor), from an instant (``since``), or from where it stopped (``after``: the ``next_cursor`` of its last page),
which is always given, so polling is asking again with it. Events appear once they have settled
(``domain/event_feed.SETTLE_WINDOW``, 60 s), so a cursor never passes an event that commits late.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from arportal import clock
from arportal.api.app import new_router
from arportal.domain.event_feed import DEFAULT_PAGE, MAX_PAGE
from arportal.services import event_feed
from arportal.wiring import integrations
from integration_api.caller import current_system
from integration_api.feed_cursors import cursor_of, start_of
from integration_api.schemas_readback import FeedEventOut, FeedPageOut

router = new_router()

CURSOR_ERRORS: dict[int, OpenAPIResponse] = {
    400: {"description": "`invalid_cursor`: the cursor is not one this list gave out; start again without it"},
    422: {"description": "`validation_failed`: a parameter is invalid (an instant without a time zone, or to come)"},
}


@router.get(
    "/v1/integrations/events",
    tags=["integrations"],
    summary="Every event the platform published, oldest first, page by page (scope events.read)",
    responses={
        200: {
            "description": "A page of events and the cursor to go on from",
            "content": {"application/json": {"model": FeedPageOut}},
        },
        **CURSOR_ERRORS,
    },
)
def events(
    after: Annotated[
        str | None, Query(max_length=2000, description="next_cursor of the previous page: go on from there")
    ] = None,
    since: Annotated[
        datetime | None,
        Query(description="Without a cursor: start with the events made at or after this instant (with a time zone)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size, 1-{MAX_PAGE}")] = DEFAULT_PAGE,
) -> FeedPageOut:
    current_system(router, "events.read")
    now = clock.now()
    start = start_of("events", after, since, now=now, names=("after", "since"))
    page = event_feed.read_events(integrations.event_feed(), after=start, limit=limit, now=now)
    return FeedPageOut(
        events=[FeedEventOut.of(e) for e in page.events], next_cursor=cursor_of("events", page.next_position)
    )
