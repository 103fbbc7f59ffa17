import json

from arportal.services.audit_export import export_batch
from tests import builders as b


class Bucket:
    def __init__(self):
        self.objects = {}

    def put(self, key, body, *, content_type, metadata=None):
        self.objects[key] = body


def test_a_batch_becomes_one_object_named_by_its_content():
    bucket = Bucket()
    records = [{"PK": "PAYMENT#p1", "SK": "SEQ#0000000001", "hash": "ab"}, {"PK": "PAYMENT#p1", "SK": "HEAD"}]
    key = export_batch(records, bucket, now=b.NOW)
    assert key and key.startswith(f"audit/{b.NOW:%Y/%m/%d/%H}/") and key.endswith(".jsonl")
    lines = bucket.objects[key].decode().splitlines()
    assert [json.loads(line)["SK"] for line in lines] == ["SEQ#0000000001", "HEAD"]
    assert export_batch(records, bucket, now=b.NOW) == key  # a replayed batch lands on the same name
    assert export_batch([], bucket, now=b.NOW) is None and len(bucket.objects) == 1
