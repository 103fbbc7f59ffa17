"""Request and response models of the webhook endpoints' routes (``routes/webhooks.py``).

An endpoint's URL and filters are checked by the services (``InvalidEndpointError``: 422 ``invalid_endpoint`` with
``details: {field, reason}``), not here: the reasons (not https, a private address, over 2 KB, an unknown event type)
are the domain's, and one place says them. The models only bound what a request may hold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import Field, Strict, model_validator

from arportal.api.schemas import In, Out
from arportal.domain.webhooks import MAX_URL_LENGTH, Attempt, Delivery, Endpoint
from arportal.services.webhook_endpoints import MAX_DESCRIPTION, MAX_OVERLAP, MAX_RATE_LIMIT, EndpointChanges

# Past the domain's own limit, so a long URL is refused by the domain with its reason, not here with a bare one.
_URL_FIELD_MAX = 4 * MAX_URL_LENGTH
MAX_FILTERS = 50
MAX_OVERLAP_HOURS = int(MAX_OVERLAP.total_seconds()) // 3600

EventFilter = Annotated[str, Field(min_length=1, max_length=100)]
RateLimit = Annotated[int, Strict(), Field(ge=1, le=MAX_RATE_LIMIT, description="Deliveries a second at most")]
Url = Annotated[
    str,
    Field(
        min_length=1,
        max_length=_URL_FIELD_MAX,
        description=f"Where deliveries are POSTed: https, a public address, at most {MAX_URL_LENGTH} characters",
    ),
]
EventTypes = Annotated[
    list[EventFilter],
    Field(
        max_length=MAX_FILTERS,
        description="Event types to deliver: exact (`payment.posted`), a family (`payment.*`) or `*` for every one",
    ),
]


# --- endpoints ----------------------------------------------------------------------------------------------------


class EndpointIn(In):
    url: Url
    event_types: EventTypes
    description: str = Field("", max_length=MAX_DESCRIPTION)
    rate_limit: RateLimit | None = Field(None, description="Deliveries a second at most; none: the default")
    ed25519: bool = Field(False, description="Also sign with the agency's Ed25519 key (`v1a,`)")


class EndpointPatchIn(In):
    """Only the fields sent change; at least one must be. ``rate_limit: null`` removes the endpoint's limit."""

    url: Url | None = None
    event_types: EventTypes | None = None
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    enabled: bool | None = Field(None, description="false switches deliveries off (they are held, not dropped)")
    rate_limit: RateLimit | None = Field(None, description="Deliveries a second at most; null removes the limit")
    ed25519: bool | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        nulls = [name for name in self.model_fields_set - {"rate_limit"} if getattr(self, name) is None]
        if nulls:
            raise ValueError(f"{', '.join(sorted(nulls))} cannot be null: leave a field out to keep it")
        return self

    def changes(self) -> EndpointChanges:
        """The fields sent, as the service takes them: None keeps a field, a rate limit of 0 removes it."""
        rate_limit = (self.rate_limit or 0) if "rate_limit" in self.model_fields_set else None
        return EndpointChanges(
            url=self.url,
            description=self.description,
            event_types=self.event_types,
            enabled=self.enabled,
            rate_limit=rate_limit,
            ed25519=self.ed25519,
        )


class EndpointOut(Out):
    id: str = Field(description="whe_ and 26 letters or digits")
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None = Field(
        description="Why deliveries are off: by_admin (switched off), gone (the endpoint answered 410), failing "
        "(five days of failures); none while enabled"
    )
    rate_limit: int | None
    ed25519: bool
    failing_since: datetime | None = Field(description="The first failure since the last success, if failing")
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, endpoint: Endpoint) -> EndpointOut:
        return cls(**_endpoint_fields(endpoint))


class NewEndpointOut(EndpointOut):
    secret: str = Field(description="The whsec_ signing secret: shown this once, never again")

    @classmethod
    def created(cls, endpoint: Endpoint, secret: str) -> NewEndpointOut:
        return cls(**_endpoint_fields(endpoint), secret=secret)


def _endpoint_fields(endpoint: Endpoint) -> dict[str, object]:
    return {
        "id": endpoint.endpoint_id,
        "url": endpoint.url,
        "event_types": list(endpoint.event_types),
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason.value if endpoint.disabled_reason else None,
        "rate_limit": endpoint.rate_limit,
        "ed25519": endpoint.ed25519,
        "failing_since": endpoint.failing_since,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }


class EndpointsOut(Out):
    endpoints: list[EndpointOut]


# --- secrets ------------------------------------------------------------------------------------------------------


class RotateIn(In):
    overlap_hours: Annotated[int, Strict()] = Field(
        24, ge=0, le=MAX_OVERLAP_HOURS, description="How long the old secret keeps signing too (0: not at all)"
    )


class RotatedSecretOut(Out):
    id: str
    secret: str = Field(description="The new whsec_ secret: shown this once, never again")
    previous_valid_until: datetime = Field(
        description="Until then every delivery is signed with both secrets (two v1 signatures)"
    )


# --- the delivery log ---------------------------------------------------------------------------------------------


class AttemptOut(Out):
    event_id: str = Field(description="The event, and the webhook-id the receiver saw")
    round: int = Field(description="1, then one more for each replay")
    attempt: int = Field(description="The attempt's number in its round, from 1")
    at: datetime
    status_code: int | None = Field(description="What the endpoint answered; none when it did not answer")
    latency_ms: int
    delivered: bool
    response_excerpt: str = Field(description="The start of the answer's body (at most 4 KiB)")
    error: str | None = Field(description="Why there was no answer: timeout, connection, redirect, ...")
    next_attempt_at: datetime | None = Field(description="When it is tried again, if it will be")

    @classmethod
    def of(cls, attempt: Attempt) -> AttemptOut:
        return cls(
            event_id=attempt.event_id,
            round=attempt.round,
            attempt=attempt.attempt,
            at=attempt.at,
            status_code=attempt.status_code,
            latency_ms=attempt.latency_ms,
            delivered=attempt.delivered,
            response_excerpt=attempt.response_excerpt,
            error=attempt.error,
            next_attempt_at=attempt.next_attempt_at,
        )


class AttemptsOut(Out):
    attempts: list[AttemptOut] = Field(description="Newest first")
    next_cursor: str | None = Field(description="Where the next page starts; none on the last")


# --- replay -------------------------------------------------------------------------------------------------------


class ReplayIn(In):
    """Either one event (``event_id``) or every event in a time range (``since`` and ``until``)."""

    event_id: str | None = Field(None, min_length=1, max_length=128, description="Replay this event only")
    since: datetime | None = Field(None, description="Replay the events from this instant (with a time zone)")
    until: datetime | None = Field(None, description="... to this one")
    event_types: list[EventFilter] | None = Field(
        None,
        max_length=MAX_FILTERS,
        description="Only these event types of the range (the endpoint's own filters apply anyway)",
    )
    dry_run: bool = Field(False, description="Count what a range replay would send, and send nothing")

    @model_validator(mode="after")
    def _one_event_or_a_range(self) -> Self:
        ranged = self.since is not None or self.until is not None
        if self.event_id is not None:
            if ranged or self.event_types is not None or self.dry_run:
                raise ValueError("give event_id alone, or since and until (with event_types, dry_run)")
            return self
        if self.since is None or self.until is None:
            raise ValueError("give event_id, or both since and until")
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("since and until need a time zone")
        if self.until <= self.since:
            raise ValueError("until must be after since")
        return self


class ReplayedDeliveryOut(Out):
    event_id: str
    event_type: str
    status: str = Field(description="pending: it goes out again at once; held while the endpoint is switched off")
    round: int
    next_attempt_at: datetime | None

    @classmethod
    def of(cls, delivery: Delivery) -> ReplayedDeliveryOut:
        return cls(
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            status=delivery.status.value,
            round=delivery.round,
            next_attempt_at=delivery.next_attempt_at,
        )


class ReplayOut(Out):
    dry_run: bool
    count: int = Field(description="The events the replay covers")
    replayed: int = Field(description="The deliveries sent again (0 on a dry run)")
    delivery: ReplayedDeliveryOut | None = Field(description="The one event's delivery, when event_id was given")
