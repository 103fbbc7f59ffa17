"""Staff routes: the drawer close-out at the counter and its deposit slip (docs/finance.md, "Drawer close-out").

Closing a drawer takes ``drawer.close``: the cashier closes their own drawer at the end of a shift, a supervisor
or finance one left open; every close names who made it and is audited. The slip is printed by the same people,
through a short-lived link, as every stored document is reached (``arportal/adapters/s3.py``).
"""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.idempotency import Outcome, idempotency_key, run_once
from arportal.api.identity import require_staff
from arportal.domain.identity import Caller
from arportal.domain.permissions import Permission
from arportal.wiring import stores
from staff_api.schemas_finance_drawers import TERMINAL_ID, DepositSlipOut, DrawerCloseIn, DrawerCloseOut
from staff_api.schemas_finance_settlement import DEPOSIT_ID

router = new_router()
SLIP_LINK_SECONDS = 300


@router.post(
    "/v1/staff/finance/drawers/<terminal>/close",
    tags=["staff"],
    summary="Close a counter drawer: cash and cheques counted against what it took, over/short recorded, and a "
    "deposit batch with its slip (Idempotency-Key; a repeat of the same close answers the first)",
    responses={
        201: {"description": "Closed", "content": {"application/json": {"model": DrawerCloseOut}}},
        200: {
            "description": "Closed already with this count: the first close (replayed: true)",
            "content": {"application/json": {"model": DrawerCloseOut}},
        },
        409: {"description": "Another close of the drawer was being written: try again"},
        422: {
            "description": "`drawer_currency_mismatch` (a reconciliation item is opened), `note_required` (over "
            "or short), `cheque_list_mismatch`, `nothing_to_close`, `idempotency_key_reused`"
        },
    },
)
def close_drawer(
    terminal: Annotated[str, Path(pattern=TERMINAL_ID)], body: Annotated[DrawerCloseIn, Body()]
) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.DRAWER_CLOSE)
    key = idempotency_key(router.current_event.headers)
    return run_once(
        "staff.drawer_close",
        scope=f"staff:{caller.actor}:{terminal}",
        key=key,
        payload=body.model_dump(mode="json"),
        work=lambda: _close(terminal, body, caller),
        lambda_context=router.lambda_context,
        persistence=stores.idempotency_records(),
    )


def _close(terminal: str, body: DrawerCloseIn, caller: Caller) -> Outcome:
    from arportal.services import drawer_close
    from arportal.wiring.drawers import drawer_services

    closed = drawer_close.close_drawer(
        drawer_services(), terminal, body.drawer_id, body.count(), actor=caller.actor, now=clock.now()
    )
    out = DrawerCloseOut.of(closed.close, replayed=closed.replayed).model_dump(mode="json")
    status = HTTPStatus.OK if closed.replayed else HTTPStatus.CREATED
    return Outcome(int(status), out)


@router.get(
    "/v1/staff/finance/deposits/<depositId>/slip",
    tags=["staff"],
    summary="A counter deposit's slip: a short-lived link to the PDF to print and take to the bank",
    responses={
        200: {"description": "The link", "content": {"application/json": {"model": DepositSlipOut}}},
        404: {"description": "No counter deposit of this id (a processor payout has no slip)"},
    },
)
def deposit_slip(depositId: Annotated[str, Path(pattern=DEPOSIT_ID)]) -> DepositSlipOut:
    from arportal.services import drawer_close
    from arportal.wiring.drawers import drawer_services

    require_staff(current_caller(router), Permission.DRAWER_CLOSE)
    now = clock.now()
    close, url = drawer_close.deposit_slip(drawer_services(), depositId, expires_in=SLIP_LINK_SECONDS)
    return DepositSlipOut(deposit_id=close.deposit_id, url=url, expires_at=now + timedelta(seconds=SLIP_LINK_SECONDS))
