"""How staff find a customer by what a caller says: name, email or phone prefix (the ByName index).

    CUST#<id>  #PROFILE                      the profile itself: NPK = NAME#<first letter>, NSK = <name>#<id>
               SRCH#EMAIL | SRCH#PHONE       pointer items that make a profile findable by email / phone prefix
                                             (NPK = EMAIL#<first char> | PHONE#<first digit>)

Each pointer carries the customer's brief, so a prefix search needs no second read. Text is normalised the
same way when it is written and when it is searched for, so 'O'Brien, Pat' and 'obrien pat' meet.
"""

from __future__ import annotations

from typing import Any

from arportal.adapters.dynamodb import customer_items
from arportal.domain.models import Customer

EMAIL_POINTER = "SRCH#EMAIL"
PHONE_POINTER = "SRCH#PHONE"
SEARCH_POINTERS = (EMAIL_POINTER, PHONE_POINTER)
SEARCH_BRIEF_FIELDS = ("customer_id", "kind", "name", "email", "phone")


def normalise_name(text: str) -> str:
    """Lower case, letters/digits/@/. only, so 'O'Brien, Pat' and 'obrien pat' meet."""
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch in "@.+ ").strip()


def name_partition(text: str) -> str:
    normalised = normalise_name(text)
    return f"NAME#{normalised[:1] or '_'}"


def normalise_email(text: str) -> str:
    return "".join(ch for ch in text.strip().lower() if not ch.isspace())


def email_partition(text: str) -> str:
    return f"EMAIL#{normalise_email(text)[:1] or '_'}"


def normalise_phone(text: str) -> str:
    """Digits only, without a leading North American country code: no NANP area code starts with 1, so
    '+1 (217) 555-0142', '1-217-555-0142' and '217 555 0142' all become '2175550142'."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[1:] if digits.startswith("1") else digits


def phone_partition(text: str) -> str:
    return f"PHONE#{normalise_phone(text)[:1] or '_'}"


def search_pointers(customer: Customer) -> list[dict[str, Any]]:
    """Small items that make a profile findable by email and phone prefix (ByName), each carrying the
    customer's brief so a prefix search needs no second read. Write them wherever a profile is written; a
    contact detail that was removed leaves a pointer to delete (``SEARCH_POINTERS``)."""
    brief = {k: v for k, v in customer.model_dump(mode="json", include=set(SEARCH_BRIEF_FIELDS)).items() if v}
    pk = customer_items.customer_pk(customer.customer_id)
    pointers = []
    if customer.email and normalise_email(customer.email):
        pointers.append(
            {
                **brief,
                "PK": pk,
                "SK": EMAIL_POINTER,
                "type": "search_pointer",
                "NPK": email_partition(customer.email),
                "NSK": f"{normalise_email(customer.email)}#{customer.customer_id}",
            }
        )
    if customer.phone and normalise_phone(customer.phone):
        pointers.append(
            {
                **brief,
                "PK": pk,
                "SK": PHONE_POINTER,
                "type": "search_pointer",
                "NPK": phone_partition(customer.phone),
                "NSK": f"{normalise_phone(customer.phone)}#{customer.customer_id}",
            }
        )
    return pointers
