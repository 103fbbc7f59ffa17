import json

from arportal.adapters.dynamodb.outbox import audit_item, outbox_item
from arportal.domain.models import AuditEvent
from tests import builders as b


def test_outbox_item_carries_what_the_relay_needs():
    item = outbox_item("payment.posted", {"payment_id": "pay_1", "amount": 100}, at=b.NOW, event_id="evt_1")
    assert item["PK"] == "OUTBOX#evt_1" and item["SK"] == "OUTBOX"
    assert (item["source"], item["detail_type"]) == ("arportal", "payment.posted")
    detail = json.loads(item["detail"])
    assert detail == {"payment_id": "pay_1", "amount": 100, "event_id": "evt_1", "occurred_at": b.NOW.isoformat()}
    assert item["expires_at"] > b.NOW.timestamp()


def test_audit_items_are_keyed_by_entity_and_time():
    event = AuditEvent(
        event_id="aud_1",
        entity_type="payment",
        entity_id="pay_1",
        action="refund.requested",
        actor="staff:agent@demo.local",
        at=b.NOW,
        reason="duplicate",
    )
    item = audit_item(event)
    assert item["PK"] == "PAYMENT#pay_1" and item["SK"].startswith(b.NOW.isoformat())
    assert item["ACTOR"] == "staff:agent@demo.local" and item["reason"] == "duplicate"
