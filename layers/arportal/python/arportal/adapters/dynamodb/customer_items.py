"""A customer's partition and its header: profile, accounts, the last known balances, a pending email change.

    CUST#<id>  #PROFILE                  customer profile (the partition every aggregate of the customer shares)
               #BALANCE#<department>     the last good answer of the department's connected system
               #EMAIL_CHANGE             the one pending email change (hashed code, TTL)
               ACCT#<account_number>     account

Every "#..." item and every account sort before the customer's other items: that range is the partition's
header (``PARTITION_HEADER_FIRST`` .. ``PARTITION_HEADER_LAST``), which a profile view reads with one Query.
The profile and account items themselves are mapped by ``entity_items``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arportal.adapters.dynamodb import table_layout
from arportal.domain.balances import AccountBalance, SourceBalance
from arportal.domain.email_change import PendingEmailChange

PROFILE = "#PROFILE"
LAST_BALANCE_PREFIX = "#BALANCE#"
EMAIL_CHANGE = "#EMAIL_CHANGE"
PARTITION_HEADER_FIRST = "#"
PARTITION_HEADER_LAST = "ACCT#\uffff"


def customer_pk(customer_id: str) -> str:
    return f"CUST#{customer_id}"


def customer_id_from_pk(pk: str) -> str | None:
    return pk.removeprefix("CUST#") if pk.startswith("CUST#") else None


def profile_key(customer_id: str) -> dict[str, str]:
    return {"PK": customer_pk(customer_id), "SK": PROFILE}


def account_sk(account_number: str) -> str:
    return f"ACCT#{account_number}"


def guest_decoy_key() -> dict[str, str]:
    """A key that never holds an item: read in place of an unknown invoice's owner, so a guess at a number
    that does not exist costs the same reads as a wrong proof for one that does."""
    return {"PK": "GUEST#DECOY", "SK": PROFILE}


# --- pending email change (customer portal) -------------------------------------------------------------------


def email_change_key(customer_id: str) -> dict[str, str]:
    return {"PK": customer_pk(customer_id), "SK": EMAIL_CHANGE}


def email_change_item(pending: PendingEmailChange) -> dict[str, Any]:
    """A pending email change -> its item; ``expires_at`` (epoch seconds) is the table's TTL,
    which removes a forgotten change eventually (the service checks ``valid_until`` itself, TTL is lazy)."""
    return {
        **email_change_key(pending.customer_id),
        "type": "email_change",
        "customer_id": pending.customer_id,
        "new_email": pending.new_email,
        "code_salt": pending.code_salt,
        "code_hash": pending.code_hash,
        "requested_at": pending.requested_at.isoformat(),
        "valid_until": pending.expires_at.isoformat(),
        "attempts": pending.attempts,
        "expires_at": int(pending.expires_at.timestamp()),
    }


def email_change_from_item(item: dict[str, Any]) -> PendingEmailChange:
    data = table_layout.plain(item)
    return PendingEmailChange(
        customer_id=data["customer_id"],
        new_email=data["new_email"],
        code_salt=data["code_salt"],
        code_hash=data["code_hash"],
        requested_at=datetime.fromisoformat(data["requested_at"]),
        expires_at=datetime.fromisoformat(data["valid_until"]),
        attempts=int(data.get("attempts", 0)),
    )


# --- last known balances (staff console) ------------------------------------------------------------------------


def last_balance_key(customer_id: str, department: str) -> dict[str, str]:
    return {"PK": customer_pk(customer_id), "SK": f"{LAST_BALANCE_PREFIX}{department}"}


def last_balance_item(customer_id: str, balance: SourceBalance) -> dict[str, Any]:
    """A connected system's last good answer for one customer (what is shown while the system is down)."""
    if balance.amount is None or balance.as_of is None:
        raise ValueError("only an answer with an amount is remembered")
    return {
        **last_balance_key(customer_id, balance.department),
        "type": "last_balance",
        "source": balance.source,
        "department": balance.department,
        "amount": balance.amount,
        "currency": balance.currency,
        "as_of": balance.as_of.isoformat(),
        "accounts": [{"account_number": a.account_number, "amount": a.amount} for a in balance.accounts],
    }


def last_balance_from_item(item: dict[str, Any]) -> SourceBalance:
    data = table_layout.plain(item)
    return SourceBalance(
        source=str(data["source"]),
        department=str(data["department"]),
        amount=int(data["amount"]),
        currency=str(data["currency"]),
        as_of=datetime.fromisoformat(str(data["as_of"])),
        fresh=False,
        accounts=tuple(AccountBalance(str(a["account_number"]), int(a["amount"])) for a in data.get("accounts", [])),
    )
