"""How staff find a customer by what a caller says: any word of a name, email or phone prefix (the ByName index).

    CUST#<id>  #PROFILE                      the profile itself: NPK = NAME#<first letter>, NSK = <name>#<id>
               SRCH#EMAIL | SRCH#PHONE       pointer items that make a profile findable by email / phone prefix
                                             (NPK = EMAIL#<first char> | PHONE#<first digit>)
               SRCH#WORD#<n>                 one per word of the name (n = 0 for the first): NPK = WORD#<its first
                                             letter>, NSK = <the name from that word on>#<id>, name_word = n

Each pointer carries the customer's brief, so a prefix search needs no second read. Text is normalised the
same way when it is written and when it is searched for, so 'O'Brien, Pat' and 'obrien pat' meet. Staff search
by name reads the WORD partition only: "rivera" finds "Jordan Rivera" (word 1) and "Rivera Plumbing" (word 0) in
one query. The profile's own NAME entry stays for the bank matcher's payer-name lookup, which wants whole names.
"""

from __future__ import annotations

from typing import Any

from arportal.adapters.dynamodb import customer_items
from arportal.domain.models import Customer

EMAIL_POINTER = "SRCH#EMAIL"
PHONE_POINTER = "SRCH#PHONE"
WORD_POINTER = "SRCH#WORD#"
# Words past this many are found through the last pointer's tail only: a name's slots are fixed, so a write can
# delete the slots a shorter new name no longer uses without reading the old one.
NAME_WORDS = 5
WORD_POINTERS = tuple(f"{WORD_POINTER}{n}" for n in range(NAME_WORDS))
SEARCH_POINTERS = (EMAIL_POINTER, PHONE_POINTER, *WORD_POINTERS)
SEARCH_BRIEF_FIELDS = ("customer_id", "kind", "name", "email", "phone")


def normalise_name(text: str) -> str:
    """Lower case, letters/digits/@/. only, so 'O'Brien, Pat' and 'obrien pat' meet."""
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch in "@.+ ").strip()


def name_partition(text: str) -> str:
    normalised = normalise_name(text)
    return f"NAME#{normalised[:1] or '_'}"


def name_words(text: str) -> list[str]:
    """The name from each of its first ``NAME_WORDS`` words on: 'Jordan de la Cruz' -> ['jordan de la cruz',
    'de la cruz', 'la cruz', 'cruz']."""
    words = normalise_name(text).split()
    return [" ".join(words[n:]) for n in range(min(len(words), NAME_WORDS))]


def word_partition(text: str) -> str:
    return f"WORD#{normalise_name(text)[:1] or '_'}"


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
    """Small items that make a profile findable by any word of its name and by email and phone prefix (ByName),
    each carrying the
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
    for n, tail in enumerate(name_words(customer.name)):
        pointers.append(
            {
                **brief,
                "PK": pk,
                "SK": WORD_POINTERS[n],
                "type": "search_pointer",
                "NPK": word_partition(tail),
                "NSK": f"{tail}#{customer.customer_id}",
                "name_word": n,
            }
        )
    return pointers
