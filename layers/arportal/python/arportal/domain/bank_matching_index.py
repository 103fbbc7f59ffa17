"""What bank matching looks things up in, built once per ``match`` call: no rule ever scans the whole book.

Invoice and account numbers are compared by their **key**: upper case, letters and digits only, each run of digits
without its leading zeros, so "ut-2026-12", "UT 2026 00012" and "UT-2026-00012" are one key. Payer names are
compared by their **name key** (upper case words, company suffixes such as INC or LLC dropped) with rapidfuzz's
``token_set_ratio``; a name that is only part of the other (a surname alone) scores at most 90, so it never decides
alone. A name is looked up through its words: only the customers that share its rarest words are scored.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rapidfuzz import fuzz, process

from arportal.domain.bank_matches import Allocation, MatchBook, OpenInvoice
from arportal.domain.money import exponent

_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_WORD = re.compile(r"[0-9A-Z]+")
_SUFFIXES = frozenset({"INC", "LLC", "LTD", "CORP", "CORPORATION", "CO", "COMPANY", "THE", "LLP", "PLLC", "PC"})
MIN_KEY_LENGTH = 4  # shorter keys ("12", "INV") are too common in remittance text to name anything
MAX_WORDS_IN_NUMBER = 4  # "UT 2026 00012": a number typed with spaces spans up to this many words
PARTIAL_NAME_CAP = 90.0
RARE_WORD_POSTINGS = 3_000  # a name word shared by more customers than this does not narrow the search
NAME_SEARCH_WORDS = 2
NAME_SEARCH_FLOOR = 80.0


def number_key(text: str) -> str:
    return _NOT_ALNUM.sub("", _LEADING_ZEROS.sub("", text.upper()))


def number_keys_in(text: str) -> set[str]:
    """Every key a number written in ``text`` could have: each word, and runs of up to four adjacent words."""
    words = [number_key(w) for w in _WORD.findall(text.upper())]
    keys = set()
    for i in range(len(words)):
        for j in range(i + 1, min(i + MAX_WORDS_IN_NUMBER, len(words)) + 1):
            key = "".join(words[i:j])
            if len(key) >= MIN_KEY_LENGTH:
                keys.add(key)
    return keys


def name_key(name: str) -> str:
    return " ".join(w for w in _WORD.findall(name.upper()) if w not in _SUFFIXES)


def name_similarity(payer: str, name: str) -> float:
    """token_set_ratio of two name keys; a name contained in the other counts at most 90 unless the two are close
    as wholes (token_sort_ratio)."""
    if not payer or not name:
        return 0.0
    return min(fuzz.token_set_ratio(payer, name), max(fuzz.token_sort_ratio(payer, name), PARTIAL_NAME_CAP))


def money(amount: int, currency: str) -> str:
    places = exponent(currency)
    return f"{Decimal(amount).scaleb(-places):,.{places}f} {currency}"


@dataclass(frozen=True)
class NameHit:
    customer_id: str
    score: float
    alias: bool  # the best-scoring name is one staff confirmed for this payer


@dataclass
class MatchIndex:
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # customer -> name keys, the name first
    display_names: dict[str, str] = field(default_factory=dict)
    invoices_of: dict[str, list[OpenInvoice]] = field(default_factory=lambda: defaultdict(list))  # oldest due first
    by_number: dict[str, list[OpenInvoice]] = field(default_factory=lambda: defaultdict(list))
    by_amount: dict[tuple[str, int], list[OpenInvoice]] = field(default_factory=lambda: defaultdict(list))
    customers_by_account: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    keys_by_word: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # word -> name keys
    customers_by_word: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # ... their customers
    taken: dict[str, int] = field(default_factory=dict)  # invoice -> what MATCHED lines of this run took of it
    _account_keys: dict[str, str] = field(default_factory=dict)
    _name_hits: dict[str, list[NameHit]] = field(default_factory=dict)
    _payer_keys: dict[str | None, str] = field(default_factory=dict)

    @classmethod
    def build(cls, book: MatchBook) -> MatchIndex:
        index = cls()
        for payer in book.payers:
            keys = tuple(dict.fromkeys(k for k in (name_key(n) for n in (payer.name, *payer.aliases)) if k))
            index.names[payer.customer_id] = keys
            index.display_names[payer.customer_id] = payer.name
            for key in keys:
                for word in set(key.split()):
                    index.keys_by_word[word].append(key)
                    index.customers_by_word[word].append(payer.customer_id)
            for account in payer.account_numbers:
                index.customers_by_account[index.account_key(account)].add(payer.customer_id)
        for invoice in book.invoices:
            index.invoices_of[invoice.customer_id].append(invoice)
            index.by_number[number_key(invoice.invoice_number)].append(invoice)
            index.by_amount[(invoice.currency, invoice.balance)].append(invoice)
            if invoice.account_number:
                index.customers_by_account[index.account_key(invoice.account_number)].add(invoice.customer_id)
        for invoices in (*index.invoices_of.values(), *index.by_amount.values()):
            invoices.sort(key=_oldest_due_first)
        return index

    def account_key(self, account_number: str) -> str:
        if account_number not in self._account_keys:
            self._account_keys[account_number] = number_key(account_number)
        return self._account_keys[account_number]

    def left(self, invoice: OpenInvoice) -> int:
        """The invoice's balance less what MATCHED lines of this run took of it."""
        return invoice.balance - self.taken.get(invoice.invoice_id, 0)

    def known(self, customer_id: str) -> bool:
        return customer_id in self.names or customer_id in self.invoices_of

    def label(self, customer_id: str) -> str:
        name = self.display_names.get(customer_id)
        return f"{customer_id} ({name})" if name else customer_id

    def name_score(self, payer_name: str | None, customer_id: str) -> tuple[float, bool]:
        """The payer name's similarity to the customer's name or aliases, and whether an alias scored best."""
        payer = self._key(payer_name)
        keys = self.names.get(customer_id, ())
        if not payer or not keys:
            return 0.0, False
        scores = [name_similarity(payer, k) for k in keys]
        best = max(range(len(scores)), key=scores.__getitem__)
        return scores[best], best > 0

    def _key(self, payer_name: str | None) -> str:
        if payer_name not in self._payer_keys:
            self._payer_keys[payer_name] = name_key(payer_name or "")
        return self._payer_keys[payer_name]

    def customers_named(self, payer_name: str | None) -> list[NameHit]:
        """Customers whose name or alias is like ``payer_name`` (>= 80), best first. Only the names sharing one of
        the payer's two rarest words are compared (in rapidfuzz's C loop, then scored as ``name_score``)."""
        payer = self._key(payer_name)
        if not payer:
            return []
        if payer not in self._name_hits:
            words = sorted(
                (w for w in set(payer.split()) if 0 < len(self.keys_by_word.get(w, ())) <= RARE_WORD_POSTINGS),
                key=lambda w: len(self.keys_by_word[w]),
            )
            keys: list[str] = []
            owners: list[str] = []
            for word in words[:NAME_SEARCH_WORDS]:
                keys += self.keys_by_word[word]
                owners += self.customers_by_word[word]
            close = process.extract(
                payer, keys, scorer=fuzz.token_set_ratio, score_cutoff=NAME_SEARCH_FLOOR, limit=None
            )
            customers = dict.fromkeys(owners[i] for _, _, i in close)
            hits = [NameHit(c, *self.name_score(payer_name, c)) for c in customers]
            hits = [h for h in hits if h.score >= NAME_SEARCH_FLOOR]
            self._name_hits[payer] = sorted(hits, key=lambda h: (-h.score, h.customer_id))
        return self._name_hits[payer]

    def open_invoices(self, customer_id: str, currency: str) -> list[OpenInvoice]:
        return [i for i in self.invoices_of.get(customer_id, ()) if i.currency == currency and self.left(i)]

    def allocate(self, amount: int, first: Sequence[OpenInvoice], then: Iterable[OpenInvoice] = ()) -> list[Allocation]:
        """``amount`` over ``first`` in order, then ``then``, each invoice at most its remaining balance."""
        parts: list[Allocation] = []
        left, seen = amount, set()
        for invoice in (*first, *then):
            if left <= 0:
                break
            if invoice.invoice_id in seen:
                continue
            seen.add(invoice.invoice_id)
            if (take := min(left, self.left(invoice))) > 0:
                parts.append(Allocation(invoice.invoice_id, invoice.customer_id, take))
                left -= take
        return parts

    def take(self, allocations: Iterable[Allocation]) -> None:
        """A MATCHED line's allocations: later lines see what is left of each balance."""
        for part in allocations:
            self.taken[part.invoice_id] = self.taken.get(part.invoice_id, 0) + part.amount


def _oldest_due_first(invoice: OpenInvoice) -> tuple[date, str]:
    return invoice.due_date, invoice.invoice_number
