"""A page of the portal's invoice list: one Query of an index already in the list's order, never the history.

Which index (keys: ``invoice_items``):
- unpaid statuses only (open, partially paid, overdue), by due date: ``OpenItems`` (only unpaid invoices are
  there), overdue alone or not-yet-due alone as a key range on the due date;
- by issue date: ``ByActivityDay`` under ``ISSUED#CUST#<id>``, the issue-date range as a key range;
- otherwise, by due date: ``ByParent`` under ``INVOICES#CUST#<id>``.
What the key does not serve (account, department, an issue-date range in due order, paid or voided) is a filter
in the Query: a page then reads the invoices it passes over, up to ``_MAX_CALLS`` requests of ``_FILTERED_READ``,
and answers with what it found and a cursor to go on from (never a silent stop). A page resumes from the (date,
invoice id) its cursor names, which holds as invoices arrive or leave an index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, invoice_items
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.tables import BY_ACTIVITY_DAY, BY_PARENT, OPEN_ITEMS
from arportal.domain.invoice_views import DisplayStatus, InvoiceFilter, InvoicePage, InvoiceSort, sort_value
from arportal.domain.models import Invoice

_MAX_CALLS = 10
_FILTERED_READ = 100  # items a filtered request evaluates: a sparse filter costs at most 1,000 items a page
_UNPAID = frozenset({DisplayStatus.OPEN, DisplayStatus.PARTIALLY_PAID, DisplayStatus.OVERDUE})
_TOP = "\uffff"  # above every key character: the end of a key range


@dataclass(frozen=True)
class _Index:
    name: str
    pk: str  # the index's key attributes
    sk: str
    partition: str
    sk_prefix: str  # before "<date>#<invoice id>" in the index sort key

    def start_key(self, customer_id: str, after: tuple[str, str]) -> dict[str, Any]:
        day, invoice_id = after
        return codec.serialize(
            {
                "PK": customer_items.customer_pk(customer_id),
                "SK": invoice_items.invoice_sk(invoice_id),
                self.pk: self.partition,
                self.sk: self.sk_prefix + invoice_items.position_sk(day, invoice_id),
            }
        )

    def position(self, key: dict[str, Any]) -> tuple[str, str]:
        day, _, invoice_id = str(key[self.sk]["S"]).removeprefix(self.sk_prefix).partition("#")
        return day, invoice_id


def invoice_page(
    table: str,
    customer_id: str,
    where: InvoiceFilter,
    sort: InvoiceSort,
    *,
    today: date,
    limit: int,
    after: tuple[str, str] | None,
) -> InvoicePage:
    index, low, high = _index(customer_id, where, sort, today)
    values: dict[str, Any] = {":pk": index.partition}
    key = f"{index.pk} = :pk"
    if low and high:
        key += f" AND {index.sk} BETWEEN :low AND :high"
        values |= {":low": low, ":high": high}
    names: dict[str, str] = {}
    conditions = _conditions(where, sort, index, today, names=names, values=values)
    expressions = " ".join([key, *conditions])  # DynamoDB refuses a name or value no expression uses
    names = {k: v for k, v in names.items() if re.search(f"{k}\\b", expressions)}
    values = {k: v for k, v in values.items() if re.search(f"{k}\\b", expressions)}
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": index.name,
        "KeyConditionExpression": key,
        "ExpressionAttributeValues": codec.serialize(values),
        "ScanIndexForward": not sort.descending,
    }
    if conditions:
        request["FilterExpression"] = " AND ".join(conditions)
    if names:
        request["ExpressionAttributeNames"] = names
    if after is not None:
        request["ExclusiveStartKey"] = index.start_key(customer_id, after)
    rows: list[Invoice] = []
    for call in range(_MAX_CALLS):
        # One more row than the page, so a full page knows whether another follows; past a first read a filter
        # thinned, read in larger steps.
        request["Limit"] = _FILTERED_READ if conditions and call else limit + 1 - len(rows)
        with translated("list invoices"):
            response = client("dynamodb").query(**request)
        for raw in response.get("Items", []):
            invoice = entity_items.from_item(codec.deserialize(raw), Invoice)
            if where.matches(invoice, today):  # the filter's exact rule, whatever the query let through
                rows.append(invoice)
        if len(rows) > limit:
            shown = rows[:limit]
            return InvoicePage(shown, (sort_value(shown[-1], sort), shown[-1].invoice_id), None)
        last = response.get("LastEvaluatedKey")
        if last is None:
            return InvoicePage(rows, None, len(rows) if after is None else None)
        request["ExclusiveStartKey"] = last
    # As much as one page may read: answer with what was found, and a cursor where reading stopped.
    return InvoicePage(rows, index.position(request["ExclusiveStartKey"]), None)


def _index(customer_id: str, where: InvoiceFilter, sort: InvoiceSort, today: date) -> tuple[_Index, str, str]:
    """The index a page reads and its sort-key range ("", "": the whole partition)."""
    if sort.field == "issue_date":
        index = _Index(BY_ACTIVITY_DAY, "DAYPK", "DAYSK", invoice_items.invoices_by_issue_pk(customer_id), "")
        low = where.issued_from.isoformat() if where.issued_from else "0"  # "0": below every date
        high = (where.issued_to.isoformat() if where.issued_to else "") + _TOP
        return index, low, high
    if where.statuses and where.statuses <= _UNPAID:
        prefix = invoice_items.OPEN_INVOICE_PREFIX
        index = _Index(OPEN_ITEMS, "OPK", "OSK", customer_items.customer_pk(customer_id), prefix)
        if where.statuses == {DisplayStatus.OVERDUE}:  # due before today
            return index, prefix, prefix + (today - timedelta(days=1)).isoformat() + _TOP
        if DisplayStatus.OVERDUE not in where.statuses:  # due today or later
            return index, prefix + today.isoformat(), prefix + _TOP
        return index, prefix, prefix + _TOP
    index = _Index(BY_PARENT, "PPK", "PSK", invoice_items.invoices_by_due_pk(customer_id), "")
    return index, "", ""  # the whole partition


def _conditions(
    where: InvoiceFilter,
    sort: InvoiceSort,
    index: _Index,
    today: date,
    *,
    names: dict[str, str],
    values: dict[str, Any],
) -> list[str]:
    """The filter's parts the key range does not already apply, as a FilterExpression."""
    conditions: list[str] = []
    for name, value in (("account_number", where.account_number), ("department", where.department)):
        if value is not None:
            conditions.append(f"#{name} = :{name}")
            names[f"#{name}"], values[f":{name}"] = name, value
    if sort.field != "issue_date":
        if where.issued_from is not None:
            conditions.append("#issue >= :from")
            names["#issue"], values[":from"] = "issue_date", where.issued_from.isoformat()
        if where.issued_to is not None:
            conditions.append("#issue <= :to")
            names["#issue"], values[":to"] = "issue_date", where.issued_to.isoformat()
    if where.statuses and where.statuses != set(DisplayStatus) and not _served(where.statuses, index):
        statuses = _status_condition(where.statuses, names, values, today)
        either = len(where.statuses) > 1 or DisplayStatus.VOIDED in where.statuses  # an OR at the top
        # DynamoDB refuses redundant parentheses, so only an OR beside other conditions gets them.
        conditions.append(f"({statuses})" if either and conditions else statuses)
    return conditions


def _served(statuses: frozenset[DisplayStatus], index: _Index) -> bool:
    """Whether the OpenItems key range selects exactly these statuses."""
    return index.name == OPEN_ITEMS and (
        statuses in ({DisplayStatus.OVERDUE}, _UNPAID, _UNPAID - {DisplayStatus.OVERDUE})
    )


def _status_condition(
    statuses: frozenset[DisplayStatus], names: dict[str, str], values: dict[str, Any], today: date
) -> str:
    """``display_status`` over the stored figures (voided, status, balance, amount, due date)."""
    names |= {"#st": "status", "#voided": "voided", "#bal": "balance", "#amt": "amount", "#due": "due_date"}
    values |= {":voided": "voided", ":yes": True, ":zero": 0, ":today": today.isoformat()}
    standing = "(attribute_not_exists(#voided) OR #voided <> :yes) AND #st <> :voided"
    owing = f"{standing} AND #bal > :zero"
    rules = {  # AND binds tighter than OR
        DisplayStatus.VOIDED: "#voided = :yes OR #st = :voided",
        DisplayStatus.PAID: f"{standing} AND #bal <= :zero",
        DisplayStatus.OVERDUE: f"{owing} AND #due < :today",
        DisplayStatus.PARTIALLY_PAID: f"{owing} AND #due >= :today AND #bal < #amt",
        DisplayStatus.OPEN: f"{owing} AND #due >= :today AND #bal >= #amt",
    }
    return " OR ".join(rules[s] for s in sorted(statuses))
