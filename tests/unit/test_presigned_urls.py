"""Presigned URLs are Signature Version 4: S3 refuses version 2 for objects under a KMS key, and every bucket of
ours is KMS-encrypted, so a version-2 receipt or upload link would fail only in AWS, never on moto."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from arportal.adapters.aws import client
from arportal.adapters.s3 import S3DocumentStore
from arportal.adapters.s3_imports import S3ImportFiles


@pytest.fixture
def aws_signing_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    client.cache_clear()
    yield
    client.cache_clear()


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.mark.usefixtures("aws_signing_env")
def test_document_and_import_urls_are_signed_with_version_4() -> None:
    receipt = S3DocumentStore("documents").url("receipts/R-1.pdf", filename="R-1.pdf")
    upload = S3ImportFiles("imports").upload_url("imports/imp_1/source", content_type="text/csv", expires_in=900)
    for url in (receipt, upload):
        query = _query(url)
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"], url
        assert "Signature" not in query and "AWSAccessKeyId" not in query
