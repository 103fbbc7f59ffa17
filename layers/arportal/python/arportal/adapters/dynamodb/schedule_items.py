"""Schedules (autopay, payment plans) and the items that let the daily runs find them.

    CUST#<id>  SCH#<schedule_id>                schedule (OpenItems while active)
               AUTOPAY#<account_number>         autopay enrolment of an account: at most one (the create guard),
                                                listed in ByDueDate under DUEPK = AUTOPAY#ENROLLED
               INST#<schedule_id>#<nn>          a plan instalment's due-date entry (ByDueDate, DUE#<date>)
               PLANINV#<invoice_id>             an invoice is in an active plan (guard: at most one plan each)

The schedule item itself is mapped by ``entity_items``; the others are kept out of its ``Record`` union on
purpose: none is a live item of the dashboard's OpenItems query, and ``schedules.py`` reads them itself.
"""

from __future__ import annotations

from typing import Any

from arportal.adapters.dynamodb import customer_items, table_layout
from arportal.domain.models import Schedule

AUTOPAY_ENROLLED = "AUTOPAY#ENROLLED"


def schedule_sk(schedule_id: str) -> str:
    return f"SCH#{schedule_id}"


def autopay_enrolment_sk(account_number: str) -> str:
    return f"AUTOPAY#{account_number}"


def autopay_enrolment_due_sk(days_before_due: int, customer_id: str, account_number: str) -> str:
    """Sorted by lead time, so a run can read the enrolments of one ``days_before_due`` with a key condition."""
    return f"{days_before_due:02d}#{customer_items.customer_pk(customer_id)}#{account_number}"


def instalment_sk(schedule_id: str, number: int) -> str:
    return f"INST#{schedule_id}#{number:02d}"


def instalment_due_sk(customer_id: str, schedule_id: str, number: int) -> str:
    return f"{customer_items.customer_pk(customer_id)}#{instalment_sk(schedule_id, number)}"


def plan_invoice_sk(invoice_id: str) -> str:
    return f"PLANINV#{invoice_id}"


def autopay_enrolment_item(schedule: Schedule) -> dict[str, Any]:
    """The guard that allows one autopay per account, and the run's way to find every enrolment (ByDueDate)."""
    return {
        "PK": customer_items.customer_pk(schedule.customer_id),
        "SK": autopay_enrolment_sk(schedule.account_number),
        "type": "autopay_enrolment",
        "schedule_id": schedule.schedule_id,
        "customer_id": schedule.customer_id,
        "account_number": schedule.account_number,
        "days_before_due": schedule.days_before_due,
        "DUEPK": AUTOPAY_ENROLLED,
        "DUESK": autopay_enrolment_due_sk(schedule.days_before_due, schedule.customer_id, schedule.account_number),
    }


def instalment_due_items(schedule: Schedule) -> list[dict[str, Any]]:
    """One ByDueDate entry per instalment (numbered from 1), beside the invoices due the same day."""
    return [
        {
            "PK": customer_items.customer_pk(schedule.customer_id),
            "SK": instalment_sk(schedule.schedule_id, number),
            "type": "instalment_due",
            "schedule_id": schedule.schedule_id,
            "customer_id": schedule.customer_id,
            "account_number": schedule.account_number,
            "number": number,
            "due_date": instalment.due_date.isoformat(),
            "amount": instalment.amount,
            "currency": schedule.currency,
            "DUEPK": table_layout.due_pk(instalment.due_date),
            "DUESK": instalment_due_sk(schedule.customer_id, schedule.schedule_id, number),
        }
        for number, instalment in enumerate(schedule.instalments, start=1)
    ]


def plan_invoice_guard_item(schedule: Schedule, invoice_id: str) -> dict[str, Any]:
    return {
        "PK": customer_items.customer_pk(schedule.customer_id),
        "SK": plan_invoice_sk(invoice_id),
        "type": "plan_invoice",
        "schedule_id": schedule.schedule_id,
        "invoice_id": invoice_id,
    }
