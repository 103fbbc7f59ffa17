"""The customer's remittance reference: an ISO 11649 creditor reference ("RF" + two check digits + the body).

The body is the customer id's part after ``CUS-`` (ids match ``^CUS-[0-9A-Z]{4,20}$``, so 4-20 characters,
within ISO 11649's 21), so the reference is stable, needs no storage and reads back to the customer.

Check digits (ISO 7064 MOD 97-10, as IBANs): append "RF00" to the body, write each letter as two digits (A=10 ...
Z=35), take the number modulo 97; the check is 98 minus that. A reference is valid when the body + "RF" + check,
written the same way, is 1 modulo 97. Every change of one digit for another or of one letter for another, and
every swap of two adjacent digits or two adjacent letters, is caught; a swap of a letter and a digit is caught
except for "1B"/"B1", "2M"/"M2" and "3X"/"X3" (each reads as the same number), and a letter put for a digit (or
the reverse) is caught about 96 times in 97.

Payers type references in groups of four, in lower case, or break them across lines; ``find_references`` reads
them out of free remittance text anyway.
"""

from __future__ import annotations

import re

_PREFIX = "CUS-"
_BODY = re.compile(r"^[0-9A-Z]{4,20}$")
_REFERENCE = re.compile(r"^RF[0-9]{2}[0-9A-Z]{1,21}$")
_ISO_BODY_MAX = 21
_GROUP = 4
# An "RF" + two digits not inside a word, then the characters that may follow it, spaces and line breaks between.
_START = re.compile(r"(?<![0-9A-Z])RF\s?[0-9]\s?[0-9]")
_FOLLOWING = re.compile(r"[0-9A-Z]+|[ \t]*\r?\n[ \t]*|[ \t]+")


def _mod97(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text)) % 97


def _check_digits(body: str) -> str:
    return f"{98 - _mod97(body + 'RF00'):02d}"


def is_valid(reference: str) -> bool:
    """ISO 11649: the format and the check digits (spaces and case ignored)."""
    ref = compact(reference)
    return bool(_REFERENCE.match(ref)) and _mod97(ref[4:] + ref[:4]) == 1


def compact(reference: str) -> str:
    return "".join(reference.split()).upper()


def reference_for(customer_id: str) -> str:
    if not customer_id.startswith(_PREFIX) or not _BODY.match(body := customer_id[len(_PREFIX) :]):
        raise ValueError(f"{customer_id!r} is not a customer id")
    return f"RF{_check_digits(body)}{body}"


def customer_for(reference: str) -> str | None:
    """The customer a reference names, or None when its check digits fail or its body is not a customer id's."""
    ref = compact(reference)
    if not is_valid(ref) or not _BODY.match(ref[4:]):
        return None
    return _PREFIX + ref[4:]


def formatted(reference: str) -> str:
    """In groups of four, as printed for a person to type: "RF18 5390 0754 7034"."""
    ref = compact(reference)
    return " ".join(ref[i : i + 4] for i in range(0, len(ref), 4))


def find_references(text: str) -> list[str]:
    """The valid RF references in free remittance text: compact, upper case, each once, in order of appearance.

    From each "RF" + two digits the characters after it are read across spaces and single line breaks, as long as
    the groups are of four (as the reference is printed); it may end only where a group ends. Every ending whose
    check digits hold is a reference, the longest first: "RF18 5390 0754 7034 invoice 12" reads RF18539007547034,
    and in "RF18 5390 0754 7034 2024" a caller that knows its customers can tell which of the valid readings is
    one of theirs.
    """
    upper = text.upper()
    found: list[str] = []
    for start in _START.finditer(upper):
        head = "".join(start.group().split())
        body, endings, position, gap, group = "", [], start.end(), False, _GROUP
        while len(body) <= _ISO_BODY_MAX and (piece := _FOLLOWING.match(upper, position)):
            word = piece.group()
            if word[0].isalnum():
                body, group, gap = body + word, len(word), False
                endings.append(body)
            elif gap or group != _GROUP:  # a blank line, or after a group not of four: the reference has ended
                break
            else:
                gap = True
            position = piece.end()
        for ending in reversed(endings):
            reference = head + ending
            if len(ending) <= _ISO_BODY_MAX and is_valid(reference) and reference not in found:
                found.append(reference)
    return found
