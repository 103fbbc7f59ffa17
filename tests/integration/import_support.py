"""Bulk imports as a connected system (or the console) runs them, for the integration tests: create the import,
PUT the file to its presigned URL (moto's S3, on loopback), start it, and poll it until it is finished."""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.request
from collections.abc import Iterable, Sequence
from typing import Any

from tests.integration.conftest import GatewayClient, Reply

INTEGRATIONS = "/v1/integrations/imports"
STAFF = "/v1/staff/integrations/imports"
FINISHED = {"completed", "failed"}


def ndjson(records: Iterable[object]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def csv_file(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def create(
    gateway: GatewayClient, token: str, kind: str, file_format: str, *, dry_run: bool = False, base: str = INTEGRATIONS
) -> Reply:
    return gateway.request("POST", base, token=token, json={"kind": kind, "format": file_format, "dry_run": dry_run})


def upload(created: dict[str, Any], body: bytes) -> int:
    target = created["upload"]
    url, method, headers = target["url"], target["method"], target["headers"]
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 - moto on loopback
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - moto on loopback
        return int(answer.status)


def download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - moto on loopback
        return bytes(answer.read())


def start(gateway: GatewayClient, token: str, import_id: str, *, base: str = INTEGRATIONS) -> Reply:
    return gateway.request("POST", f"{base}/{import_id}:start", token=token)


def wait(
    gateway: GatewayClient, token: str, import_id: str, *, base: str = INTEGRATIONS, timeout: float = 120
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        reply = gateway.request("GET", f"{base}/{import_id}", token=token)
        assert reply.status == 200, reply.body
        if reply.body["status"] in FINISHED:
            return dict(reply.body)
        if time.monotonic() > deadline:
            raise TimeoutError(f"import {import_id} still {reply.body['status']} after {timeout}s: {reply.body}")
        time.sleep(0.1)


def run(
    gateway: GatewayClient,
    token: str,
    kind: str,
    file_format: str,
    body: bytes,
    *,
    dry_run: bool = False,
    base: str = INTEGRATIONS,
) -> dict[str, Any]:
    """Create, upload, start and wait: the import as it finished."""
    created = create(gateway, token, kind, file_format, dry_run=dry_run, base=base)
    assert created.status == 201, created.body
    assert upload(created.body, body) == 200
    started = start(gateway, token, created.body["import_id"], base=base)
    assert started.status == 202, started.body
    return wait(gateway, token, created.body["import_id"], base=base)


def report_rows(finished: dict[str, Any]) -> list[dict[str, str]]:
    text = download(finished["error_report"]["url"]).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))
