"""The public half of the key that signs webhook deliveries: ``GET /v1/webhooks/signing-keys``, no token.

An endpoint that opts into Ed25519 gets a ``v1a,`` signature as well as the ``v1,`` HMAC one; its receiver verifies it
with this ``whpk_`` key and needs no secret at all (docs/webhooks.md). Receivers fetch it rarely and keep it: the
answer may be cached for an hour, carries an ``ETag``, and a request with that ``If-None-Match`` is a 304.
"""

from __future__ import annotations

import hashlib
from http import HTTPStatus
from typing import Literal, cast

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import Field

from arportal.api.app import new_router
from arportal.api.schemas import Out

router = new_router()

PATH = "/v1/webhooks/signing-keys"
# An hour: a receiver meets a new key at most that long after a change, and fetches this once an hour at most.
CACHE_CONTROL = "public, max-age=3600"


class SigningKeyOut(Out):
    id: str = Field(description="Names the key (a digest of it): changes when the key does")
    algorithm: Literal["ed25519"]
    public_key: str = Field(description="whpk_ and the base64 of the 32-byte Ed25519 public key")


class SigningKeysOut(Out):
    keys: list[SigningKeyOut] = Field(description="The keys that sign v1a signatures now")


def key_id(public_key: str) -> str:
    return "ed25519-" + hashlib.sha256(public_key.encode()).hexdigest()[:16]


@router.get(
    PATH,
    tags=["public"],
    summary="The public key that verifies webhook deliveries' v1a (Ed25519) signatures",
    responses={
        200: {
            "description": "The keys; cacheable for an hour (Cache-Control, ETag)",
            "content": {"application/json": {"model": SigningKeysOut}},
        },
        304: {"description": "Not modified: the ETag sent in If-None-Match is still the key's"},
    },
)
def signing_keys() -> Response[str]:
    from arportal.wiring import webhooks as webhook_wiring  # here: a cold start of another route never loads it

    public_key = webhook_wiring.signing_public_key()
    keys = (
        [] if public_key is None else [SigningKeyOut(id=key_id(public_key), algorithm="ed25519", public_key=public_key)]
    )
    body = SigningKeysOut(keys=keys)
    etag = f'"{key_id(public_key) if public_key else "none"}"'
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": etag, "X-Content-Type-Options": "nosniff"}
    event = cast(APIGatewayProxyEvent, router.current_event)
    asked = event.headers.get("if-none-match") or event.headers.get("If-None-Match") or ""
    if etag in (tag.strip() for tag in asked.split(",")):
        return Response(status_code=HTTPStatus.NOT_MODIFIED, body="", headers=headers)
    return Response(
        status_code=HTTPStatus.OK,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
        headers=headers,
    )
