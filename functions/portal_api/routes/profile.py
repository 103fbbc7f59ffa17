"""Portal routes: changing the signed-in customer's contact details, preferences and (confirmed) email.

Reading the profile is ``GET /v1/portal/me`` in ``dashboard.py``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_customer
from arportal.api.schemas import DeliverableEmail, In, ProfileOut
from arportal.config import settings
from arportal.domain.portal_errors import RateLimitedError
from arportal.services import profile
from arportal.wiring import portal, stores
from portal_api.schemas import EmailChangeOut, ProfileUpdateOut
from portal_api.schemas_views import rate_limited_response

router = new_router()
router.exception_handler(RateLimitedError)(rate_limited_response)


Email = DeliverableEmail
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class AddressIn(In):
    line1: Text200
    line2: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    city: Text200
    region: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9 -]{3,10}$")]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "US"


class PreferencesIn(In):
    """Only the preferences named change; the others stay as they are."""

    email_receipts: bool | None = None
    due_date_reminders: bool | None = None
    reminder_days_before: Annotated[int, Field(ge=0, le=30)] | None = None
    overdue_notices: bool | None = None
    sms: bool | None = None


class ProfilePatchIn(In):
    """Fields left out stay as they are; ``phone`` or ``address`` set to null is removed. A new ``email`` takes
    effect only once the code sent to it is confirmed at ``POST /v1/portal/me/email-confirmation``."""

    phone: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{7,20}$")] | None = None
    address: AddressIn | None = None
    preferences: PreferencesIn | None = None
    email: Email | None = Field(default=None, description="A new contact email: a code is sent there to confirm it")


class EmailConfirmationIn(In):
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$")]


@router.patch("/v1/portal/me", tags=["portal"], summary="Change your contact details, preferences or email")
def patch_me(body: ProfilePatchIn) -> ProfileUpdateOut:
    customer_id = require_customer(current_caller(router))
    fields = body.model_dump(mode="json", exclude_unset=True)
    if "preferences" in fields:  # only what was named: null means "leave as it is" inside preferences
        fields["preferences"] = {k: v for k, v in (fields["preferences"] or {}).items() if v is not None}
    if fields.get("email") is None:
        fields.pop("email", None)  # the contact email can be changed, not removed
    update = profile.update_profile(
        portal.profile_store(),
        stores.mailer(),
        stores.rate_counter(),
        customer_id,
        fields,
        now=clock.now(),
        agency_name=settings().agency_name,
    )
    pending = update.pending_email
    return ProfileUpdateOut(
        profile=ProfileOut.of(update.customer),
        email_change=EmailChangeOut(pending_email=pending.new_email, expires_at=pending.expires_at)
        if pending
        else None,
    )


@router.post(
    "/v1/portal/me/email-confirmation",
    tags=["portal"],
    summary="Confirm a new email with the code sent to it",
)
def confirm_email(body: EmailConfirmationIn) -> ProfileOut:
    customer_id = require_customer(current_caller(router))
    return ProfileOut.of(profile.confirm_email(portal.profile_store(), customer_id, body.code, now=clock.now()))
