"""Documents in S3 (KMS-encrypted by the bucket's default), reached only through short-lived presigned URLs."""

from __future__ import annotations

import re

from botocore.exceptions import ClientError

from arportal.adapters.aws import client
from arportal.domain.errors import DependencyError

_SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


class S3DocumentStore:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def put(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> None:
        try:
            client("s3").put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, Metadata=metadata or {}
            )
        except Exception as exc:  # any botocore failure: the document was not stored
            raise DependencyError("the document could not be stored") from exc

    def put_new(self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None) -> bool:
        try:
            client("s3").put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType=content_type,
                Metadata=metadata or {},
                IfNoneMatch="*",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"PreconditionFailed", "ConditionalRequestConflict"}:
                return False  # stored already (or being stored) by another writer: theirs is the same file
            raise DependencyError("the document could not be stored") from exc
        except Exception as exc:
            raise DependencyError("the document could not be stored") from exc
        return True

    def get(self, key: str) -> bytes:
        try:
            return bytes(client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except Exception as exc:
            raise DependencyError("the document could not be read") from exc

    def url(self, key: str, *, filename: str, expires_in: int = 300) -> str:
        safe = _SAFE_FILENAME.sub("-", filename).strip("-") or "document"
        return str(
            client("s3").generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ResponseContentDisposition": f'attachment; filename="{safe}"',
                },
                ExpiresIn=expires_in,
            )
        )
