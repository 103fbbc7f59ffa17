"""No card number is stored, logged or echoed, however it is spelt: journeys put card numbers, obfuscated every way
the guard was once fooled by (dots, double spaces, slashes, underscores, newlines, zero-width spaces, full-width
and Arabic-Indic digits, mixed separators), into every free-text field (interactions, support requests, profile
fields, adjustment notes), into paths, query parameters and the Idempotency-Key header, through the in-process
gateway and through the local HTTP server. Each is refused with a 422 naming the field and never the number.

Then everything is read back: every item of the ledger, audit and idempotency tables, every object of the
documents and (after an export) the Object Lock audit buckets, every email sent, every log record (the gateway's
request lines included) and everything printed; each text normalised as the guard normalises it
(``arportal.domain.cards.normalise``) and reduced to its digits. None of the numbers is there.

The numbers are new random Luhn-valid numbers each run, so what other tests stored cannot match them."""

from __future__ import annotations

import base64
import gzip
import json
import logging
import random
import re
import urllib.error
import urllib.request
import uuid
import zlib
from typing import Any
from urllib.parse import quote

import pytest

from arportal.domain.cards import looks_like_card_number, luhn_valid, normalise
from local.gateway import Gateway
from tests.integration.staff_actions_support import new_customer

SPELLINGS = {
    "dots": lambda n: ".".join(_groups(n)),
    "double spaces": lambda n: "  ".join(_groups(n)),
    "slashes": lambda n: "/".join(_groups(n)),
    "underscores": lambda n: "_".join(_groups(n)),
    "newlines": lambda n: "\n".join(_groups(n)),
    "zero-width spaces": "\u200b".join,
    "full-width": lambda n: " ".join("".join(chr(0xFF10 + int(d)) for d in g) for g in _groups(n)),
    "arabic-indic": lambda n: "".join(chr(0x0660 + int(d)) for d in n),
    "mixed": lambda n: "{}.{} {}/{}".format(*_groups(n)),
    "dashes with spaces": lambda n: " - ".join(_groups(n)),
    "plain": lambda n: n,
}


def _groups(number: str) -> list[str]:
    return [number[i : i + 4] for i in range(0, len(number), 4)]


def _fresh_number(rng: random.Random) -> str:
    partial = rng.choice("45") + "".join(rng.choice("0123456789") for _ in range(14))
    return partial + next(d for d in "0123456789" if luhn_valid(partial + d))


@pytest.fixture(scope="module")
def world(local_env):
    cid, _, invoices = new_customer(local_env, amounts=(10_000,))
    tag = uuid.uuid4().hex[:10]
    customer = local_env.create_user(f"cards-{tag}@example.com", customer_id=cid)
    staff = local_env.create_user(f"cards-staff-{tag}@example.com", groups=("supervisor",))
    return {
        "cid": cid,
        "invoice_id": invoices[0].invoice_id,
        "customer": local_env.login(customer.username).id_token,
        "staff": local_env.login(staff.username).id_token,
    }


def _submissions(world: dict[str, Any], text: str, number: str) -> list[tuple[str, str, str, Any, dict[str, str]]]:
    """(method, path, who, json body, extra headers): each would store ``text`` (or ``number``) if it were taken."""
    cid, invoice_id = world["cid"], world["invoice_id"]
    return [
        ("POST", f"/v1/staff/customers/{cid}/interactions", "staff", {"kind": "note", "summary": text}, {}),
        ("POST", "/v1/portal/support-requests", "customer", {"subject": "Help", "message": f"my card {text}"}, {}),
        ("POST", "/v1/portal/support-requests", "customer", {"subject": text, "message": "see subject"}, {}),
        (
            "PATCH",
            "/v1/portal/me",
            "customer",
            {"address": {"line1": text, "city": "Springfield", "region": "IL", "postal_code": "62701"}},
            {},
        ),
        ("PATCH", "/v1/portal/me", "customer", {"phone": " ".join(_groups(number))}, {}),
        (
            "POST",
            "/v1/staff/adjustments",
            "staff",
            {
                "customer_id": cid,
                "invoice_id": invoice_id,
                "kind": "adjustment",
                "amount": 100,
                "reason_code": "billing_error",
                "note": f"customer read out {text}",
            },
            {},
        ),
        ("GET", f"/v1/staff/customers/CUS-{number}", "staff", None, {}),
        ("POST", f"/v1/staff/customers/{quote(text)}/interactions", "staff", {"kind": "note", "summary": "x"}, {}),
        ("GET", f"/v1/staff/search?q={quote(text)}", "staff", None, {}),
        ("GET", f"/v1/staff/audit?entity=payment:pay_{number}", "staff", None, {}),
        ("GET", f"/v1/portal/invoices?account={quote(text)}", "customer", None, {}),
        ("GET", f"/v1/portal/invoices?{quote(text)}=1", "customer", None, {}),
        (
            "POST",
            f"/v1/staff/customers/{cid}/interactions",
            "staff",
            {"kind": "note", "summary": "fine"},
            {"Idempotency-Key": "-".join(_groups(number))},
        ),
    ]


def test_card_numbers_spelt_any_way_are_refused_and_nothing_anywhere_holds_one(
    local_env, gateway, world, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    rng = random.Random(uuid.uuid4().int)
    numbers: list[str] = []
    refused = 0
    for name, spell in SPELLINGS.items():
        number = _fresh_number(rng)
        numbers.append(number)
        text = spell(number)
        for method, path, who, body, headers in _submissions(world, text, number):
            reply = gateway.request(
                method,
                path,
                token=world[who],
                json=body,
                headers={"Idempotency-Key": uuid.uuid4().hex, **headers},
            )
            assert reply.status == 422, (name, method, path, reply.body)
            assert reply.body["error"]["code"] == "card_number_rejected", (name, path, reply.body)
            assert {d["reason"] for d in reply.body["error"]["details"]} == {"looks like a card number"}
            assert number not in _digits(json.dumps(reply.body, ensure_ascii=False)), reply.body
            refused += 1
    # the same journeys without a card number are taken, so the tables are written to while the numbers are sent
    fine = gateway.request(
        "POST",
        f"/v1/staff/customers/{world['cid']}/interactions",
        token=world["staff"],
        json={"kind": "note", "summary": "Called about the bill 2026-12-02 12:00:00, paid $1,234.56"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert fine.status == 201, fine.body
    refused += _through_the_http_server(local_env, world, numbers, rng)
    assert refused == len(SPELLINGS) * len(_submissions(world, "x", "4")) + 4

    local_env.relay_once()
    local_env.export_audit_once()
    texts = [*_table_texts(local_env), *_bucket_texts(local_env), *_mail_texts(gateway)]
    texts += [_record_text(r) for r in caplog.records]
    captured = capfd.readouterr()
    texts += [captured.out, captured.err]
    digits = [(_digits(text), text) for text in texts]  # once a text: the tables hold every test's records so far
    found = [(number, text[:200]) for text_digits, text in digits for number in numbers if number in text_digits]
    assert found == []
    assert any("/v1/staff/customers/[card number removed]" in r.getMessage() for r in caplog.records)


def _through_the_http_server(local_env, world, numbers: list[str], rng: random.Random) -> int:
    """The gateway's own request log (method, path, status) and http.server's request lines."""
    number = _fresh_number(rng)
    numbers.append(number)
    server = Gateway(local_env).serve("127.0.0.1", 0).start()
    refused = 0
    try:
        for target in (
            f"/v1/staff/customers/CUS-{number}",
            f"/v1/staff/customers/{quote('  '.join(_groups(number)))}/interactions",
            f"/v1/staff/search?q={quote('.'.join(_groups(number)))}",
            f"/v1/portal/invoices/{quote(chr(0x200B).join(number))}",
        ):
            headers = {"Authorization": f"Bearer {world['staff']}"}
            request = urllib.request.Request(server.url + target, headers=headers)  # noqa: S310 - our local server
            with pytest.raises(urllib.error.HTTPError) as error:
                urllib.request.urlopen(request, timeout=30)  # noqa: S310 - our own local server
            assert error.value.code in {403, 422}, target
            refused += 1
    finally:
        server.stop()
    return refused


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", normalise(text))


def _scan(local_env, table: str) -> list[dict[str, Any]]:
    client = local_env.client("dynamodb")
    items, start = [], None
    while True:
        page = client.scan(TableName=table, **({"ExclusiveStartKey": start} if start else {}))
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def _table_texts(local_env) -> list[str]:
    resources = local_env.resources
    texts = []
    for table in (resources.ledger_table, resources.audit_table, resources.idempotency_table):
        items = _scan(local_env, table)
        assert items or table == resources.idempotency_table, table
        texts += [json.dumps(item, ensure_ascii=False, default=_bytes_text) for item in items]
    return texts


def _bytes_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return _decoded(bytes(value))
    return str(value)


def _decoded(data: bytes) -> str:
    """An object's text: gzip and zlib (PDF streams) opened, every byte kept."""
    for opener in (gzip.decompress, zlib.decompress):
        try:
            data = opener(data)
            break
        except (OSError, zlib.error, EOFError):
            continue
    text = data.decode("utf-8", "replace")
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.DOTALL)
    for stream in streams:
        try:
            text += zlib.decompress(stream).decode("latin-1")
        except zlib.error:
            continue
    return text + base64.b64encode(b"").decode()


def _bucket_texts(local_env) -> list[str]:
    s3 = local_env.client("s3")
    texts = []
    for bucket in (local_env.resources.documents_bucket, local_env.resources.audit_bucket):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for entry in page.get("Contents", []):
                texts.append(entry["Key"])
                texts.append(_decoded(s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()))
    assert texts, "the audit export wrote nothing"
    return texts


def _mail_texts(gateway) -> list[str]:
    return [json.dumps(m, ensure_ascii=False) for m in gateway.request("GET", "/local/mailbox").body["messages"]]


def _record_text(record: logging.LogRecord) -> str:
    return " ".join([record.getMessage(), record.exc_text or "", str(getattr(record, "__dict__", ""))])


def test_what_was_refused_is_still_recognisable_so_the_scan_above_would_have_found_it():
    rng = random.Random(7)
    for spell in SPELLINGS.values():
        number = _fresh_number(rng)
        assert looks_like_card_number(spell(number))
        assert number in _digits(json.dumps({"summary": spell(number)}, ensure_ascii=False))
