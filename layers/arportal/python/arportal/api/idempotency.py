"""``Idempotency-Key`` on mutating routes: the same key gives the first answer again and never repeats the work.

Built on Powertools' idempotency utility with the DynamoDB persistence layer the route hands in (built by the
composition root, ``arportal.wiring.stores.idempotency_records``: the idempotency table, key attribute ``id``, TTL
attribute ``expiration``), for any route, portal or staff:

- the record is keyed on the operation, the caller's scope (a customer, a guest's invoice, a staff member) and
  the header, so two callers who happen to pick the same key never meet;
- the request's payload is hashed and checked: the same key with a different body is refused
  (422 ``idempotency_key_reused``) rather than answered with another request's result;
- while the first request runs, a duplicate gets 409 ``request_in_progress`` with ``Retry-After``;
- an ``Outcome`` the work returns (a success, or a refusal such as a decline that should read the same on every
  retry) is stored and replayed with the same status and body for ``REPLAY_WINDOW_S``, marked with the
  ``Idempotent-Replayed: true`` header; an error the work raises is not stored, so the client may retry, or
  correct the request, with the same key;
- the in-progress record expires with the Lambda invocation's remaining time, so a crashed invocation blocks a
  retry of its key for at most the function's timeout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from arportal.api.errors import SECURITY_HEADERS, ApiError, error_response

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255  # what Stripe accepts; a UUID or a ULID fits with room to spare
REPLAY_WINDOW_S = 24 * 3600  # a client retrying the next morning still gets its first answer
RETRY_AFTER_S = 2
REPLAYED_HEADER = "Idempotent-Replayed"
_VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]+$")
_FIELD = f"header.{IDEMPOTENCY_HEADER}"


@dataclass(frozen=True)
class Outcome:
    """What a mutating route answers, in a form that can be stored and replayed exactly."""

    status: int
    body: dict[str, Any]
    headers: Mapping[str, str] | None = None

    def response(self, *, replayed: bool = False) -> Response[str]:
        headers = {**SECURITY_HEADERS, **(self.headers or {})}
        if replayed:
            headers[REPLAYED_HEADER] = "true"
        return Response(
            status_code=self.status,
            content_type=content_types.APPLICATION_JSON,
            body=json.dumps(self.body, default=str),
            headers=headers,
        )


def idempotency_key(headers: Mapping[str, str]) -> str:
    """The request's ``Idempotency-Key`` (``headers`` must look names up case-insensitively, as Powertools'
    event headers do); a 400 naming the header when it is missing, blank, too long or not printable ASCII."""
    raw = headers.get(IDEMPOTENCY_HEADER)
    key = (raw or "").strip()
    reason = None
    if not key:
        reason = "required on every request that changes something; send a new random value (e.g. a UUID)"
    elif len(key) > MAX_KEY_LENGTH:
        reason = f"at most {MAX_KEY_LENGTH} characters"
    elif not _VISIBLE_ASCII.match(key):
        reason = "printable ASCII characters only, no spaces"
    if reason:
        raise ApiError(
            HTTPStatus.BAD_REQUEST,
            "idempotency_key_required" if not key else "invalid_idempotency_key",
            f"the {IDEMPOTENCY_HEADER} header is {'missing' if not key else 'not valid'}",
            [{"field": _FIELD, "reason": reason}],
        )
    return key


def run_once(
    operation: str,
    *,
    scope: str,
    key: str,
    payload: Any,
    work: Callable[[], Outcome],
    persistence: Any,
    lambda_context: Any = None,
) -> Response[str]:
    """Run ``work`` at most once for (``operation``, ``scope``, ``key``) and answer with its stored ``Outcome``.

    ``payload`` (JSON-able: the validated request body) is what a reuse of the key must match. ``persistence`` is
    where the answer is kept (a Powertools persistence layer: this deployment's from the composition root,
    ``arportal.wiring.stores.idempotency_records``; an in-memory one in tests); ``lambda_context`` bounds how long
    an in-progress record holds.
    """
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyInconsistentStateError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    config = IdempotencyConfig(
        event_key_jmespath="[scope, key]",
        payload_validation_jmespath="payload",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=REPLAY_WINDOW_S,
        hash_function="sha256",
        response_hook=_mark_replayed,
    )
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)
    done: list[Outcome] = []

    def attempt(request: dict[str, Any]) -> dict[str, Any]:
        outcome = work()
        done.append(outcome)
        return {"status": outcome.status, "body": outcome.body, "headers": dict(outcome.headers or {})}

    once = idempotent_function(
        attempt,
        data_keyword_argument="request",
        persistence_store=persistence,
        config=config,
        key_prefix=f"arportal.{operation}",
    )
    try:
        stored = once(request={"scope": scope, "key": key, "payload": payload})
    except IdempotencyValidationError:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            f"this {IDEMPOTENCY_HEADER} was already used for a different request; send a new key for a new request",
            [{"field": _FIELD, "reason": "used earlier with a different request body"}],
        )
    except (IdempotencyAlreadyInProgressError, IdempotencyInconsistentStateError):
        response = error_response(
            HTTPStatus.CONFLICT,
            "request_in_progress",
            f"a request with this {IDEMPOTENCY_HEADER} is still being processed; retry with the same key shortly",
            {"retry_after_seconds": RETRY_AFTER_S},
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response
    except IdempotencyPersistenceLayerError:
        if done:  # the work finished; only remembering its answer failed: a retry is answered from the ledger
            return done[0].response()
        return error_response(
            HTTPStatus.SERVICE_UNAVAILABLE,
            "dependency_failure",
            "the request could not be recorded; nothing was done; retry with the same key",
        )
    replayed = bool(stored.pop("replayed", False))
    return Outcome(int(stored["status"]), stored["body"], stored.get("headers") or None).response(replayed=replayed)


def _mark_replayed(response: Any, idempotent_data: Any) -> Any:
    return {**response, "replayed": True} if isinstance(response, dict) else response
