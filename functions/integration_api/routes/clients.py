"""Integration routes about the caller itself: who the token says it is, and what it may do."""

from __future__ import annotations

from pydantic import Field

from arportal.api.app import new_router
from arportal.api.schemas import Out
from arportal.domain.integration_scopes import full_name
from integration_api.caller import current_system

router = new_router()


class ClientOut(Out):
    client_id: str = Field(description="The app client's id (the token's client_id)")
    client_name: str = Field(description="The app client's name: writes are recorded as made by system:<name>")
    scopes: list[str] = Field(description="The scopes the token grants, full names (integrations/invoices.write)")


@router.get(
    "/v1/integrations/me",
    tags=["integrations"],
    summary="The connected system the token belongs to, and the scopes it grants (any scope)",
)
def me() -> ClientOut:
    caller = current_system(router, None)
    return ClientOut(
        client_id=caller.subject,
        client_name=caller.client_name or caller.subject,
        scopes=sorted(full_name(scope) for scope in caller.scopes),
    )
