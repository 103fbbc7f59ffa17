"""Where a bank file's raw bytes are kept (``arportal.ports.BankFileObjects``): the documents bucket, under
``bank-files/<yyyy>/<mm>/<dd>/<sha256>``. Not the import bucket, whose objects expire after a week: a bank
statement is a record finance keeps (KMS-encrypted, private, TLS-only like every document)."""

from __future__ import annotations

from arportal.adapters.s3 import S3DocumentStore

RAW_CONTENT_TYPE = "application/octet-stream"


class S3BankFileObjects:
    def __init__(self, bucket: str) -> None:
        self.documents = S3DocumentStore(bucket)

    def put(self, key: str, body: bytes) -> None:
        self.documents.put(key, body, content_type=RAW_CONTENT_TYPE)
