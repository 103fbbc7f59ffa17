import json

from arportal.adapters.dynamodb.outbox import audit_item, outbox_item
from arportal.domain.event_entities import EventEntity
from arportal.domain.models import AuditEvent
from tests import builders as b


def test_outbox_item_carries_what_the_relay_needs():
    entity = EventEntity("payment", "pay_1", 3)
    item = outbox_item(
        "payment.posted", {"payment_id": "pay_1", "amount": 100}, at=b.NOW, entity=entity, event_id="evt_1"
    )
    assert item["PK"] == "OUTBOX#evt_1" and item["SK"] == "OUTBOX"
    assert (item["source"], item["detail_type"]) == ("arportal", "payment.posted")
    detail = json.loads(item["detail"])
    assert detail == {
        "payment_id": "pay_1",
        "amount": 100,
        "event_id": "evt_1",
        "occurred_at": b.NOW.isoformat(),
        "entity": {"type": "payment", "id": "pay_1", "sequence": 3},
    }


def test_an_event_stays_for_the_feed_findable_in_order_and_payments_also_by_themselves():
    about_a_payment = outbox_item("payment.posted", {}, at=b.NOW, entity=EventEntity("payment", "pay_1", 1))
    assert about_a_payment["expires_at"] == int(b.NOW.timestamp()) + 400 * 86_400
    eid = about_a_payment["event_id"]
    assert (about_a_payment["DAYPK"], about_a_payment["DAYSK"]) == ("EVENTS", eid)
    assert (about_a_payment["OPK"], about_a_payment["OSK"]) == ("EVENTS#payment", eid)
    about_an_invoice = outbox_item("invoice.loaded", {}, at=b.NOW, entity=EventEntity("invoice", "inv_1", 2))
    assert about_an_invoice["DAYPK"] == "EVENTS" and "OPK" not in about_an_invoice


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
