"""The signed-in customer's own profile: contact details, notification preferences, a confirmed email change,
and linking the login to the customer record an account belongs to.

The email on the customer record is where receipts and notices go; it changes only after the new address has
proven it receives mail (a code sent there). The sign-in email is Cognito's and changes through Cognito's own
verified flow, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from arportal.domain import email_change
from arportal.domain.email_change import CodeCheck, PendingEmailChange
from arportal.domain.errors import ConflictError, NotFoundError
from arportal.domain.guest_access import postal_code_matches
from arportal.domain.linking import LinkDecision, decide
from arportal.domain.models import Account, Customer
from arportal.domain.portal_errors import CodedConflictError, CodedRuleError
from arportal.domain.rate_limits import EMAIL_CODES_SENT, LINK_PER_ACCOUNT, LINK_PER_LOGIN
from arportal.ports import Email, LinkingStore, LoginDirectory, Mailer, ProfileStore, RateCounter
from arportal.services import rate_limit

CONTACT_FIELDS = ("phone", "address")


@dataclass(frozen=True)
class ProfileUpdate:
    customer: Customer
    pending_email: PendingEmailChange | None  # a code was sent to this new address


def update_profile(
    store: ProfileStore,
    mailer: Mailer,
    counter: RateCounter,
    customer_id: str,
    fields: dict[str, Any],
    *,
    now: datetime,
    agency_name: str,
) -> ProfileUpdate:
    """``fields`` holds only what the request set: ``phone``/``address`` (``None`` clears one), a partial
    ``preferences`` mapping, and ``email`` (a change to confirm)."""
    profile = store.get(customer_id)
    if profile is None:
        raise NotFoundError("no customer record is linked to this sign-in")
    changes: dict[str, object] = {name: fields[name] for name in CONTACT_FIELDS if name in fields}
    if fields.get("preferences"):
        changes["preferences"] = {**profile.preferences.model_dump(), **fields["preferences"]}
    try:  # the whole profile as it would be, through the entity's own rules
        updated = Customer.model_validate({**profile.model_dump(), **changes})
    except ValidationError as exc:
        raise CodedRuleError(
            "validation_failed",
            "the profile would not be valid",
            details=[{"field": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]} for e in exc.errors()],
        ) from exc
    stored = {
        name: _storable(getattr(updated, name)) for name in changes if getattr(updated, name) != getattr(profile, name)
    }
    if stored:
        profile = store.update_contact(customer_id, stored)
    pending = None
    new_email = fields.get("email")
    if new_email and new_email != profile.email:
        pending = _start_email_change(store, mailer, counter, profile, new_email, now=now, agency_name=agency_name)
    return ProfileUpdate(profile, pending)


def _storable(value: object) -> object:
    """What storage keeps of a field: models as their JSON (absent parts left out), ``None`` to remove it."""
    return value.model_dump(mode="json", exclude_none=True) if isinstance(value, BaseModel) else value


def _start_email_change(
    store: ProfileStore,
    mailer: Mailer,
    counter: RateCounter,
    profile: Customer,
    new_email: str,
    *,
    now: datetime,
    agency_name: str,
) -> PendingEmailChange:
    rate_limit.spend(
        counter,
        EMAIL_CODES_SENT,
        profile.customer_id,
        now=now,
        message="too many confirmation codes were sent in the last hour; try again later",
    )
    code = email_change.new_code()
    pending = email_change.start(profile.customer_id, new_email, code, now=now)
    store.save_pending_email(pending)  # before the mail leaves, so the code works the moment it arrives
    minutes = int(email_change.LIFETIME.total_seconds() // 60)
    mailer.send(
        Email(
            to=(new_email,),
            subject=f"{agency_name}: confirm your new email address",
            text=(
                f"Your confirmation code is {code}.\n\n"
                f"Enter it in the {agency_name} payments portal within {minutes} minutes to send receipts and "
                "notices to this address. If you did not ask for this, ignore this message: nothing changes."
            ),
        )
    )
    return pending


def confirm_email(store: ProfileStore, customer_id: str, code: str, *, now: datetime) -> Customer:
    pending = store.pending_email(customer_id)
    if pending is None:
        raise CodedRuleError("no_pending_change", "there is no email change waiting for a code")
    outcome = email_change.check(pending, code, now=now)
    if outcome is CodeCheck.EXPIRED:
        raise CodedRuleError("code_expired", "this code has expired; change the email again to get a new one")
    if outcome is CodeCheck.EXHAUSTED:
        raise CodedRuleError(
            "code_attempts_exhausted", "too many wrong codes; change the email again to get a new code"
        )
    if outcome is CodeCheck.WRONG:
        store.count_wrong_code(pending)
        left = email_change.attempts_left_after_wrong(pending)
        raise CodedRuleError(
            "wrong_code",
            "that code is not right" + ("" if left else "; change the email again to get a new code"),
            details=[{"field": "code", "reason": f"wrong code; {left} attempts left"}],
        )
    try:
        store.confirm_email(pending)
    except ConflictError as exc:  # confirmed by a racing request, or replaced by a newer change
        raise CodedRuleError("no_pending_change", "this code was already used or replaced") from exc
    profile = store.get(customer_id)
    if profile is None:
        raise NotFoundError("no customer record is linked to this sign-in")
    return profile


# --- linking --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkResult:
    customer_id: str
    decision: LinkDecision  # LINK or ALREADY_LINKED: refusals are errors

    @property
    def token_refresh_required(self) -> bool:
        """The login's ID token names its customer only from the next sign-in or refresh on."""
        return self.decision is LinkDecision.LINK


NOT_VERIFIED = "we could not verify those details; check the account number and the invoice number or postal code"


def link_account(
    linking: LinkingStore,
    directory: LoginDirectory,
    counter: RateCounter,
    *,
    login_subject: str,
    login_customer_id: str | None,
    account_number: str,
    invoice_number: str | None,
    postal_code: str | None,
    now: datetime,
) -> LinkResult:
    """Link the login to the owner of ``account_number`` once the proof holds (see ``domain.linking``).

    An unknown account and a wrong proof give the same answer and both count against the login and the
    account number, so the route cannot be used to learn which account numbers exist.
    """
    subjects = [(LINK_PER_LOGIN, login_subject), (LINK_PER_ACCOUNT, account_number.strip().upper())]
    rate_limit.refuse_if_limited(counter, subjects, now=now, message="too many attempts; wait before trying again")
    account = linking.account_by_number(account_number)
    owner = linking.get(account.customer_id) if account else None
    if account is None or owner is None or not _proven(linking, account, owner, invoice_number, postal_code):
        rate_limit.count_failure(counter, subjects, now=now)
        raise CodedRuleError("link_not_verified", NOT_VERIFIED)
    decision = decide(login_subject=login_subject, login_customer_id=login_customer_id, owner=owner)
    if decision is LinkDecision.OTHER_CUSTOMER:
        raise CodedConflictError(
            "linked_to_another_customer",
            "this sign-in already belongs to another customer record; please contact the agency to combine them",
        )
    if decision is LinkDecision.TAKEN:
        raise _taken()
    if decision is LinkDecision.LINK:
        try:
            linking.claim_login(owner.customer_id, login_subject)
        except ConflictError as exc:  # another login claimed the record since it was read
            raise _taken() from exc
        directory.link_customer(login_subject, owner.customer_id)
    return LinkResult(owner.customer_id, decision)


def _taken() -> CodedConflictError:
    return CodedConflictError(
        "customer_linked_to_another_login",
        "this account's customer record is already linked to another sign-in; please contact the agency",
    )


def _proven(
    linking: LinkingStore, account: Account, owner: Customer, invoice_number: str | None, postal_code: str | None
) -> bool:
    if invoice_number:
        invoice = linking.invoice_by_number(invoice_number)
        return (
            invoice is not None
            and invoice.customer_id == account.customer_id
            and invoice.account_number == account.account_number
        )
    if postal_code:
        billing = owner.address.postal_code if owner.address else None
        service = account.service_address.postal_code if account.service_address else None
        return postal_code_matches(postal_code, billing) or postal_code_matches(postal_code, service)
    return False
