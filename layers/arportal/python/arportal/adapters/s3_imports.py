"""The import bucket (``arportal.ports.ImportFiles``): uploads arrive by presigned PUT, the error report leaves by
presigned GET, and the machine's tasks stream, write and read the objects in between.

The bucket is KMS-encrypted by default, private, TLS-only and expires its objects after a week, so nothing here
sets encryption or deletes anything. A presigned URL carries the permission of the role that signed it (the API
function's), for ``expires_in`` seconds.
"""

from __future__ import annotations

from collections.abc import Iterator

from botocore.exceptions import BotoCoreError, ClientError

from arportal.adapters.aws import client
from arportal.domain.errors import DependencyError

STREAM_PIECE = 1024 * 1024
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


class S3ImportFiles:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def upload_url(self, key: str, *, content_type: str, expires_in: int) -> str:
        params = {"Bucket": self.bucket, "Key": key, "ContentType": content_type}
        return str(client("s3").generate_presigned_url("put_object", Params=params, ExpiresIn=expires_in))

    def download_url(self, key: str, *, filename: str, expires_in: int) -> str:
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseContentType": "text/csv; charset=utf-8",
        }
        return str(client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in))

    def exists(self, key: str) -> bool:
        try:
            client("s3").head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in _NOT_FOUND:
                return False
            raise DependencyError("the import file could not be checked") from exc
        except BotoCoreError as exc:
            raise DependencyError("the import bucket could not be reached") from exc
        return True

    def stream(self, key: str) -> Iterator[bytes]:
        try:
            body = client("s3").get_object(Bucket=self.bucket, Key=key)["Body"]
            yield from body.iter_chunks(chunk_size=STREAM_PIECE)
        except (ClientError, BotoCoreError) as exc:
            raise DependencyError("the import file could not be read") from exc

    def get(self, key: str) -> bytes:
        try:
            return bytes(client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read())
        except (ClientError, BotoCoreError) as exc:
            raise DependencyError("an import file could not be read") from exc

    def put(self, key: str, body: bytes, *, content_type: str) -> None:
        try:
            client("s3").put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        except (ClientError, BotoCoreError) as exc:
            raise DependencyError("an import file could not be written") from exc
