"""The trail of one payment (``GET /v1/staff/payments/{id}/trail``): the payment with its history, allocations
and audit records, where its money went (payout and its line, or the drawer close-out and its deposit), and its
lines in the stored GL journals of the banking days that took its movements. The rules that make stages of them
are ``domain/payment_trail.py``.

Every read is by key: the payment as the status view reads it (four requests), one batch of payout keys (and one
read more for a counter deposit), one batch of journal keys per journal day and each stored batch's JSON file
(checked against the hash stored with it, as a download is). The files are the one read that grows with the day
rather than with the payment: a day's journal is read whole to keep this payment's lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from arportal.domain.errors import NotFoundError
from arportal.domain.journal_files import sha256
from arportal.domain.payment_trail import GlBatch, PaymentTrail, TrailFacts, journal_days, payment_trail
from arportal.ports import JournalFiles, JournalStore, PaymentStatusReader, PaymentTrailStore
from arportal.ports.journals import JournalBatch
from arportal.services.journal_batches import JournalFileAltered, journal_from_json


@dataclass(frozen=True)
class TrailReads:
    payments: PaymentStatusReader
    money_out: PaymentTrailStore
    journals: JournalStore
    files: JournalFiles
    agency: str  # as in the batch ids (``wiring/journals.py``, ``agency_code``)


def trail(reads: TrailReads, payment_id: str) -> PaymentTrail:
    record = reads.payments.payment_status(payment_id)
    if record is None:
        raise NotFoundError(f"no payment {payment_id}")
    payment = record.payment
    out = reads.money_out.money_out(payment.payment_id, payout_id=payment.payout_id)
    batches = {
        day: [_this_payments_lines(reads, b, payment.payment_id) for b in reads.journals.day(reads.agency, day)]
        for day in journal_days(payment)
    }
    facts = TrailFacts(
        payment=payment,
        allocations=sorted(record.allocations, key=lambda a: (a.applied_at, a.invoice_number)),
        audit=record.audit,
        payout=out.payout,
        drawer_deposit=out.drawer_deposit,
        batches=batches,
    )
    return payment_trail(facts)


def _this_payments_lines(reads: TrailReads, batch: JournalBatch, payment_id: str) -> GlBatch:
    data = reads.files.get(batch.json_key)
    if sha256(data) != batch.json_sha256:
        raise JournalFileAltered(f"the json file of {batch.batch_id} does not match its recorded hash")
    journal = journal_from_json(data)
    return GlBatch(
        batch_id=batch.batch_id,
        business_date=batch.business_date,
        created_at=batch.created_at,
        created_by=batch.created_by,
        lines=tuple(line for line in journal.lines if line.source.payment_id == payment_id),
        reverses=batch.reverses,
        replaces=batch.replaces,
        imported_at=batch.imported_at,
        imported_by=batch.imported_by,
    )
