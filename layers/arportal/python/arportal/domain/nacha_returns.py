"""NACHA return reason codes, when a returned debit may be presented again, and the return-rate monitor.

Return codes are the Nacha Operating Rules' Appendix Four. The rate rules (Article Two, Subsection 2.17.2 and
the ODFI return-rate thresholds) are measured over the preceding 60 days as returns of debit entries divided by
the debit entries originated in the same period:

- **unauthorized** (R05, R07, R10, R11, R29, R51): limit 0.5 %;
- **administrative** (R02, R03, R04): limit 3.0 %;
- **overall** (every return reason): limit 15.0 %.

A rate **warns** at 80 % of its limit (so before the limit is reached, as the monitor must) and is in **breach**
above the limit. Re-presentment (Subsection 2.12.4): only an entry returned for insufficient (R01) or uncollected
(R09) funds may be presented again, at most twice after the original (three presentments in all), within 180 days
of the original entry's settlement date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction


class ReturnCategory(StrEnum):
    UNAUTHORIZED = "unauthorized"
    ADMINISTRATIVE = "administrative"
    OVERALL = "overall"  # every return counts here, whatever else it is


class RateStatus(StrEnum):
    OK = "ok"
    WARNING = "warning"  # at or above WARNING_SHARE of the limit
    BREACH = "breach"  # above the limit


RETURN_REASONS: Mapping[str, str] = {
    "R01": "Insufficient funds",
    "R02": "Account closed",
    "R03": "No account / unable to locate account",
    "R04": "Invalid account number structure",
    "R05": "Unauthorized debit to consumer account using corporate SEC code",
    "R06": "Returned per ODFI's request",
    "R07": "Authorization revoked by customer",
    "R08": "Payment stopped",
    "R09": "Uncollected funds",
    "R10": "Customer advises originator is not known to receiver and/or not authorized to debit the account",
    "R11": "Customer advises entry not in accordance with the terms of the authorization",
    "R12": "Account sold to another DFI",
    "R13": "Invalid ACH routing number",
    "R14": "Representative payee deceased or unable to continue in that capacity",
    "R15": "Beneficiary or account holder (other than a representative payee) deceased",
    "R16": "Account frozen / entry returned per OFAC instruction",
    "R17": "File record edit criteria / entry with invalid account number initiated under questionable circumstances",
    "R18": "Improper effective entry date",
    "R19": "Amount field error",
    "R20": "Non-transaction account",
    "R21": "Invalid company identification",
    "R22": "Invalid individual ID number",
    "R23": "Credit entry refused by receiver",
    "R24": "Duplicate entry",
    "R25": "Addenda error",
    "R26": "Mandatory field error",
    "R27": "Trace number error",
    "R28": "Routing number check digit error",
    "R29": "Corporate customer advises not authorized",
    "R30": "RDFI not participant in check truncation program",
    "R31": "Permissible return entry (CCD and CTX only)",
    "R32": "RDFI non-settlement",
    "R33": "Return of XCK entry",
    "R34": "Limited participation DFI",
    "R35": "Return of improper debit entry",
    "R36": "Return of improper credit entry",
    "R37": "Source document presented for payment",
    "R38": "Stop payment on source document",
    "R39": "Improper source document / source document presented for payment",
    "R40": "Return of ENR entry by federal government agency",
    "R41": "Invalid transaction code (ENR)",
    "R42": "Routing number / check digit error (ENR)",
    "R43": "Invalid DFI account number (ENR)",
    "R44": "Invalid individual ID number / identification number (ENR)",
    "R45": "Invalid individual name / company name (ENR)",
    "R46": "Invalid representative payee indicator (ENR)",
    "R47": "Duplicate enrollment (ENR)",
    "R50": "State law affecting RCK acceptance",
    "R51": "Item related to RCK entry is ineligible or RCK entry is improper",
    "R52": "Stop payment on item related to RCK entry",
    "R53": "Item and RCK entry presented for payment",
    "R61": "Misrouted return",
    "R62": "Return of erroneous or reversing debit",
    "R67": "Duplicate return",
    "R68": "Untimely return",
    "R69": "Field error(s)",
    "R70": "Permissible return entry not accepted / return not requested by ODFI",
    "R80": "IAT entry coding error",
    "R81": "Non-participant in IAT program",
    "R82": "Invalid foreign receiving DFI identification",
    "R83": "Foreign receiving DFI unable to settle",
    "R84": "Entry not processed by gateway",
    "R85": "Incorrectly coded outbound international payment",
}
UNAUTHORIZED = frozenset({"R05", "R07", "R10", "R11", "R29", "R51"})
ADMINISTRATIVE = frozenset({"R02", "R03", "R04"})
LIMITS: Mapping[ReturnCategory, Fraction] = {
    ReturnCategory.UNAUTHORIZED: Fraction(5, 1000),
    ReturnCategory.ADMINISTRATIVE: Fraction(3, 100),
    ReturnCategory.OVERALL: Fraction(15, 100),
}
WARNING_SHARE = Fraction(8, 10)
WINDOW_DAYS = 60
REPRESENTABLE = frozenset({"R01", "R09"})
MAX_PRESENTMENTS = 3  # the original and two re-presentments
REPRESENT_WITHIN_DAYS = 180


# The processor's failure codes for a returned or failed ACH debit (Stripe's, which the sandbox uses too) and the
# NACHA code each stands for: a processor reports "insufficient_funds" where a bank file says R01.
PROCESSOR_CODES: Mapping[str, str] = {
    "insufficient_funds": "R01",
    "account_closed": "R02",
    "no_account": "R03",
    "invalid_account_number": "R04",
    "debit_not_authorized": "R10",
    "bank_account_restricted": "R16",
}
_NACHA_CODE = re.compile(r"\b(R[0-9A-Z][0-9])\b")
_PROCESSOR_CODE = re.compile(r"\b(" + "|".join(PROCESSOR_CODES) + r")\b")


def normalized(code: str) -> str:
    return code.strip().upper()


def return_note(code: str) -> str:
    """How a payment's history records the return that reversed it (``code_in`` reads it back)."""
    return f"ACH return {normalized(code)}: {reason(code)}"


def code_in(note: str | None) -> str | None:
    """The NACHA return code a payment's history note records: ``return_note``'s, or the processor's failure code
    mapped to its NACHA equivalent. None: the note names no return."""
    if not note:
        return None
    if found := _NACHA_CODE.search(note):
        return found.group(1) if found.group(1) in RETURN_REASONS else None
    if found := _PROCESSOR_CODE.search(note):
        return PROCESSOR_CODES[found.group(1)]
    return None


def reason(code: str) -> str:
    return RETURN_REASONS.get(normalized(code), "Unknown return reason")


def categories(code: str) -> frozenset[ReturnCategory]:
    """Every category a return counts in: always OVERALL, and UNAUTHORIZED or ADMINISTRATIVE for theirs."""
    c = normalized(code)
    extra = (
        {ReturnCategory.UNAUTHORIZED}
        if c in UNAUTHORIZED
        else {ReturnCategory.ADMINISTRATIVE}
        if c in ADMINISTRATIVE
        else set()
    )
    return frozenset({ReturnCategory.OVERALL, *extra})


def may_represent(code: str | None, presentments: int, first_presented_on: date, today: date) -> bool:
    """Whether a debit returned with ``code``, presented ``presentments`` times so far (1 = only the original),
    may be presented again today: R01/R09 only, at most three presentments in all, within 180 days of the original
    entry's settlement."""
    return (
        code is not None
        and normalized(code) in REPRESENTABLE
        and presentments < MAX_PRESENTMENTS
        and first_presented_on <= today <= first_presented_on + timedelta(days=REPRESENT_WITHIN_DAYS)
    )


@dataclass(frozen=True)
class ReturnedEntry:
    code: str
    returned_on: date


@dataclass(frozen=True)
class CategoryRate:
    category: ReturnCategory
    returns: int
    debits: int
    limit: Fraction

    @property
    def rate(self) -> Fraction:
        """Returns / debits originated; with no debit in the window, any return counts as all of them returned."""
        if self.debits == 0:
            return Fraction(1 if self.returns else 0)
        return Fraction(self.returns, self.debits)

    @property
    def status(self) -> RateStatus:
        if self.rate > self.limit:
            return RateStatus.BREACH
        return RateStatus.WARNING if self.rate >= self.limit * WARNING_SHARE else RateStatus.OK

    @property
    def percent(self) -> float:
        return round(float(self.rate * 100), 3)


@dataclass(frozen=True)
class ReturnRates:
    window_start: date
    window_end: date
    debits: int
    rates: Mapping[ReturnCategory, CategoryRate]

    @property
    def status(self) -> RateStatus:
        """The worst of the three."""
        order = [RateStatus.OK, RateStatus.WARNING, RateStatus.BREACH]
        return max((r.status for r in self.rates.values()), key=order.index)


def return_rates(
    returns: Iterable[ReturnedEntry], debits_by_day: Mapping[date, int], *, today: date, window_days: int = WINDOW_DAYS
) -> ReturnRates:
    """The rates over the ``window_days`` days ending with ``today`` (both ends included): returns received in the
    window over the debit entries originated in it."""
    start = today - timedelta(days=window_days - 1)
    debits = sum(n for day, n in debits_by_day.items() if start <= day <= today)
    counts = dict.fromkeys(ReturnCategory, 0)
    for entry in returns:
        if start <= entry.returned_on <= today:
            for category in categories(entry.code):
                counts[category] += 1
    rates = {c: CategoryRate(c, counts[c], debits, LIMITS[c]) for c in ReturnCategory}
    return ReturnRates(start, today, debits, rates)
