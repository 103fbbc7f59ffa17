"""The sandbox's hosted-fields tokenizer: test card and bank numbers in, a token out.

A token names what will happen when it is charged, so any Lambda container can charge it without a lookup:
``tok_<kind>_<brand>_<last4>_<nonce>`` (``tok_card_visa_4242_9f2c...``). The kinds, like Stripe's test cards,
are outcomes: a card that succeeds, one that is declined for insufficient funds, an ACH debit that settles
later, one that is returned after settling... ``KINDS`` is the list; ``docs/processors.md`` the table.

Only published test numbers are tokenized: a real card or account number typed into a sandbox by mistake is
refused instead of being turned into a token. The number itself is never stored, logged or put in an error
message: only its brand and last four digits leave this module.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from arportal.domain.cards import luhn_valid

Method = Literal["card", "debit", "wallet", "ach"]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Kind:
    """What charging a token of this kind does."""

    method: Method
    code: str | None = None  # the failure code; for ACH, the code its failure or return will carry
    pending: bool = False  # ACH: accepted now, settled (or not) later through the simulation
    answer_lost: bool = False  # the charge is made, then the answer is lost (a timeout after charging)
    no_answer: bool = False  # no answer and nothing charged (the processor is down)


KINDS: dict[str, Kind] = {
    "card": Kind("card"),
    "debit": Kind("debit"),
    "wallet": Kind("wallet"),
    "declined": Kind("card", "card_declined"),
    "insufficient": Kind("card", "insufficient_funds"),
    "expired": Kind("card", "expired_card"),
    "cvc": Kind("card", "incorrect_cvc"),
    "lost": Kind("card", "lost_card"),
    "stolen": Kind("card", "stolen_card"),
    "closed": Kind("card", "account_closed"),
    "processing": Kind("card", "processing_error"),
    "ratelimited": Kind("card", "rate_limited"),
    "timeout": Kind("card", answer_lost=True),
    "unavailable": Kind("card", no_answer=True),
    "ach": Kind("ach", pending=True),
    "achreturn": Kind("ach", "debit_not_authorized", pending=True),
    "achnsf": Kind("ach", "insufficient_funds", pending=True),
    "achclosed": Kind("ach", "account_closed", pending=True),
    "achnoacct": Kind("ach", "no_account", pending=True),
}

# Card numbers: Stripe's published test cards, plus two of the sandbox's own for a processor that times out.
TEST_CARD_KINDS: dict[str, str] = {
    "4242424242424242": "card",
    "4000056655665556": "debit",
    "5555555555554444": "card",
    "5200828282828210": "debit",
    "378282246310005": "card",
    "6011111111111117": "card",
    "3056930009020004": "card",
    "3566002020360505": "card",
    "4000000000000002": "declined",
    "4000000000009995": "insufficient",
    "4000000000000069": "expired",
    "4000000000000127": "cvc",
    "4000000000009987": "lost",
    "4000000000009979": "stolen",
    "4000000000000119": "processing",
    "4000000000000408": "timeout",
    "4000000000000416": "unavailable",
}
# Bank account numbers (any routing number that passes the ABA checksum, e.g. 110000000): Stripe's test accounts.
TEST_ACCOUNT_KINDS: dict[str, str] = {
    "000123456789": "ach",
    "000333333335": "achreturn",
    "000222222227": "achnsf",
    "000111111113": "achclosed",
    "000111111116": "achnoacct",
}
WALLETS = ("apple_pay", "google_pay")
BANK = "bank"  # the brand slot of a bank account's token
MAX_YEARS_AHEAD = 20

_TOKEN = re.compile(r"^tok_(?P<kind>[a-z]+)_(?P<brand>[a-z]+)_(?P<last4>[0-9]{4})_(?P<nonce>[0-9a-z]{16,32})$")


@dataclass(frozen=True)
class TokenInfo:
    kind: str
    brand: str | None  # None for a bank account
    last4: str

    @property
    def behaviour(self) -> Kind:
        return KINDS[self.kind]


@dataclass(frozen=True)
class SandboxToken:
    id: str
    brand: str | None
    last4: str
    method: Method


UNAVAILABLE = "tok_unavailable"  # no answer, and no charge was made
UNAVAILABLE_AFTER_CHARGE = "tok_unavailable_after_charge"  # the charge succeeded but its answer was lost

# Fixed token names (tests, seed data, scripts): each behaves as a kind of ``KINDS``.
FIXED_TOKENS: dict[str, TokenInfo] = {
    "tok_visa": TokenInfo("card", "visa", "4242"),
    "tok_mastercard": TokenInfo("card", "mastercard", "4444"),
    "tok_amex": TokenInfo("card", "amex", "8431"),
    "tok_discover": TokenInfo("card", "discover", "1117"),
    "tok_debit": TokenInfo("debit", "visa", "5556"),
    "tok_wallet": TokenInfo("wallet", "visa", "4242"),
    "tok_ach": TokenInfo("ach", None, "6789"),
    "tok_ach_return": TokenInfo("achreturn", None, "6789"),
    "tok_ach_nsf": TokenInfo("achnsf", None, "2227"),  # returned R01 (insufficient funds): may be presented again
    "tok_declined": TokenInfo("declined", "visa", "0002"),
    "tok_expired": TokenInfo("expired", "visa", "0069"),
    "tok_incorrect_cvc": TokenInfo("cvc", "visa", "0127"),
    "tok_stolen": TokenInfo("stolen", "visa", "9979"),
    "tok_lost": TokenInfo("lost", "visa", "9987"),
    "tok_account_closed": TokenInfo("closed", "visa", "0000"),
    "tok_insufficient_funds": TokenInfo("insufficient", "visa", "9995"),
    "tok_processing_error": TokenInfo("processing", "visa", "0119"),
    "tok_rate_limited": TokenInfo("ratelimited", "visa", "0000"),
    UNAVAILABLE: TokenInfo("unavailable", "visa", "0416"),
    UNAVAILABLE_AFTER_CHARGE: TokenInfo("timeout", "visa", "4242"),
}

# The processor's published test card numbers -> the fixed tokens (kept for scripts written against them).
TEST_CARDS: dict[str, str] = {
    "4242424242424242": "tok_visa",
    "5555555555554444": "tok_mastercard",
    "378282246310005": "tok_amex",
    "6011111111111117": "tok_discover",
    "4000056655665556": "tok_debit",
    "4000000000000002": "tok_declined",
    "4000000000009995": "tok_insufficient_funds",
    "4000000000000119": "tok_processing_error",
    "4000000000000069": "tok_expired",
    "4000000000009979": "tok_stolen",
}


def token_for_test_card(number: str) -> str | None:
    """The fixed token for a test card number (None: not one of ``TEST_CARDS``)."""
    return TEST_CARDS.get(re.sub(r"[ -]", "", number))


class InvalidDetailsError(Exception):
    """The card or bank details are not valid; ``details`` lists ``{"field", "reason"}`` (never the values)."""

    def __init__(self, details: list[dict[str, str]]) -> None:
        super().__init__("invalid payment details")
        self.details = details


class CardIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True, defer_build=True)

    number: str
    exp_month: int
    exp_year: int
    cvc: str
    wallet: Literal["apple_pay", "google_pay"] | None = None


class BankIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True, defer_build=True)

    routing_number: str
    account_number: str
    account_holder_name: str | None = None
    account_holder_type: Literal["individual", "company"] | None = None


def parse_token(token: str) -> TokenInfo | None:
    found = _TOKEN.fullmatch(token)
    if found is None or found["kind"] not in KINDS:
        return None
    brand = None if found["brand"] == BANK else found["brand"]
    return TokenInfo(found["kind"], brand, found["last4"])


def tokenize(body: Any, *, today: date) -> SandboxToken:
    """Card details (``number``, ``exp_month``, ``exp_year``, ``cvc``, optional ``wallet``) or bank details
    (``routing_number``, ``account_number``) -> a token; ``InvalidDetailsError`` lists every invalid field."""
    if not isinstance(body, dict):
        raise InvalidDetailsError([{"field": "body", "reason": "send a JSON object with card or bank details"}])
    if "routing_number" in body or "account_number" in body:
        return _bank_token(_validated(BankIn, body))
    return _card_token(_validated(CardIn, body), today)


def brand_of(digits: str) -> str:
    two, three, four = int(digits[:2]), int(digits[:3]), int(digits[:4])
    if digits.startswith("4"):
        return "visa"
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "mastercard"
    if two in (34, 37):
        return "amex"
    if digits.startswith("6011") or two == 65 or 644 <= three <= 649:
        return "discover"
    if two in (36, 38) or 300 <= three <= 305:
        return "diners"
    if 3528 <= four <= 3589:
        return "jcb"
    return "unionpay" if two == 62 else "unknown"


def aba_valid(routing_number: str) -> bool:
    """The ABA routing number checksum: 3, 7, 1 weights over the nine digits sum to a multiple of 10."""
    if not re.fullmatch(r"[0-9]{9}", routing_number):
        return False
    d = [int(c) for c in routing_number]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10 == 0


def _validated(model: type[M], body: dict[str, Any]) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        # The message names the rule that failed; pydantic's input echo is hidden (hide_input_in_errors).
        raise InvalidDetailsError(
            [{"field": ".".join(str(p) for p in e["loc"]) or "body", "reason": e["msg"]} for e in exc.errors()]
        ) from None


def _card_token(card: CardIn, today: date) -> SandboxToken:
    digits = re.sub(r"[ -]", "", card.number)
    problems: list[dict[str, str]] = []
    kind: str | None = None
    if not re.fullmatch(r"[0-9]{13,19}", digits) or not luhn_valid(digits):
        problems.append({"field": "number", "reason": "not a valid card number"})
    else:
        kind = TEST_CARD_KINDS.get(digits)
        if kind is None:
            problems.append({"field": "number", "reason": "not a sandbox test card (see docs/processors.md)"})
    brand = brand_of(digits) if digits.isdigit() and len(digits) >= 4 else "unknown"
    year = card.exp_year + 2000 if card.exp_year < 100 else card.exp_year
    if not 1 <= card.exp_month <= 12:
        problems.append({"field": "exp_month", "reason": "must be 1 to 12"})
    elif (year, card.exp_month) < (today.year, today.month):
        problems.append({"field": "exp_year", "reason": "the card has expired"})
    if year > today.year + MAX_YEARS_AHEAD:
        problems.append({"field": "exp_year", "reason": f"more than {MAX_YEARS_AHEAD} years ahead"})
    cvc_length = 4 if brand == "amex" else 3
    if not re.fullmatch(rf"[0-9]{{{cvc_length}}}", card.cvc):
        problems.append({"field": "cvc", "reason": f"must be {cvc_length} digits for this card"})
    if problems or kind is None:
        raise InvalidDetailsError(problems)
    if card.wallet and kind in ("card", "debit"):
        kind = "wallet"
    return _mint(kind, brand, digits[-4:])


def _bank_token(bank: BankIn) -> SandboxToken:
    problems: list[dict[str, str]] = []
    if not aba_valid(bank.routing_number):
        problems.append({"field": "routing_number", "reason": "not a valid ABA routing number"})
    kind = TEST_ACCOUNT_KINDS.get(bank.account_number)
    if not re.fullmatch(r"[0-9]{4,17}", bank.account_number):
        problems.append({"field": "account_number", "reason": "must be 4 to 17 digits"})
    elif kind is None:
        problems.append({"field": "account_number", "reason": "not a sandbox test account (see docs/processors.md)"})
    if problems or kind is None:
        raise InvalidDetailsError(problems)
    return _mint(kind, BANK, bank.account_number[-4:])


def _mint(kind: str, brand: str, last4: str) -> SandboxToken:
    # Letters only after last4: random digits could form a Luhn-valid run that the API's card guard refuses.
    suffix = "".join(secrets.choice(string.ascii_lowercase) for _ in range(16))
    token = f"tok_{kind}_{brand}_{last4}_{suffix}"
    return SandboxToken(id=token, brand=None if brand == BANK else brand, last4=last4, method=KINDS[kind].method)
