"""Rule 3 of bank matching: a payer's money (ACH credit, wire, lockbox cheque) to the invoices it pays.

Tried in this order (the first to reach the auto-apply score ends the search):

a. **Remittance reference** (98): a valid RF reference (the line's structured references and end-to-end id first,
   then any found in the remittance text) names a known customer: the money goes to that customer's open
   invoices, oldest due first; what is left is held as the customer's credit (target ``account_credit`` when no
   invoice is open). A reference whose check digits fail names no one: the line falls to the next rules.
b. **Invoice or account number** found in the remittance text or on the lockbox stub: an invoice named, the amount
   equal to its balance: 97; less than it (a partial payment): 95; more (the rest to the customer's other
   invoices, then credit): 85. Invoices of several customers named: 10 less. An account number: 95 when the
   amount is the account's open balance, 93 when less, 85 when more, 90 held as credit when nothing is open.
c. **Amount and payer name**: the open invoices whose balance is exactly the amount, scored by the payer's name
   against the customer's name and confirmed aliases (``token_set_ratio``). Applied (92, 96 for an alias) only
   when exactly one customer's name scores >= 95, no other >= 90, and no namesake's invoices sum to the amount;
   otherwise suggested at 30 + 0.55 x name (at most 85); with no payer name (or nobody named like it), 60 for the
   only invoice of that amount, 40 each for two or three, nothing for more.
d. **One line, several invoices**: the payer's customer (name >= 90) has up to 12 open invoices (oldest due) of
   which some sum to the amount within the tolerance: 92 when the name scores >= 95 and one set of invoices fits
   (90 when not exact), 80 when the name is weaker or another customer so named owes exactly the amount on one
   invoice, 75 when several sets fit. **Several lines, one invoice** (found by ``bank_matching_groups``): 90 when
   the name scores >= 95 and only one customer's invoice fits, 80 otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

from arportal.domain.bank_matches import Candidate, MatchSettings, MatchTarget, OpenInvoice
from arportal.domain.bank_matching_groups import SharedInvoice
from arportal.domain.bank_matching_index import MatchIndex, money, number_key, number_keys_in
from arportal.domain.bank_statements import BankLine
from arportal.domain.remittance_reference import customer_for, find_references, formatted

REFERENCE_SCORE = 98
INVOICE_EXACT_SCORE, INVOICE_PARTIAL_SCORE, INVOICE_OVER_SCORE = 97, 95, 85
SEVERAL_CUSTOMERS_PENALTY = 10
ACCOUNT_EXACT_SCORE, ACCOUNT_PARTIAL_SCORE, ACCOUNT_OVER_SCORE, ACCOUNT_CREDIT_SCORE = 95, 93, 85, 90
NAME_SURE, NAME_OTHER = 95.0, 90.0
AMOUNT_NAME_SCORE, AMOUNT_ALIAS_SCORE, AMOUNT_NAME_CAP = 92, 96, 85
AMOUNT_ONLY_UNIQUE_SCORE, AMOUNT_ONLY_SCORE = 60, 40
AMOUNT_CANDIDATES_CAP = 500  # a common amount (a flat fee) has many invoices: the oldest due are looked at
AMOUNT_ONLY_MAX = 3  # more invoices of the amount than this, and no name to tell them apart: no suggestion
SPLIT_NAME, SPLIT_MAX_INVOICES, SPLIT_MAX_SUMS, SPLIT_MAX_CUSTOMERS = 90.0, 12, 4096, 8
SPLIT_SURE_SCORE, SPLIT_TOLERANCE_SCORE, SPLIT_WEAK_SCORE, SPLIT_AMBIGUOUS_SCORE = 92, 90, 80, 75


def paying(
    index: MatchIndex, line: BankLine, customer_id: str, score: int, reasons: Sequence[str], *,
    first: Sequence[OpenInvoice] = (),
) -> Candidate:  # fmt: skip
    """The line's amount to ``first``, then the customer's other open invoices oldest due first, the rest held as
    credit."""
    then = index.open_invoices(customer_id, line.currency)
    parts = index.allocate(line.amount, first, then)
    applied = sum(p.amount for p in parts)
    words = list(reasons)
    if parts:
        numbers = {i.invoice_id: i.invoice_number for i in (*first, *then)}
        words.append(f"{money(applied, line.currency)} to {', '.join(numbers[p.invoice_id] for p in parts)}")
    if applied < line.amount:
        words.append(f"{money(line.amount - applied, line.currency)} held as credit")
    target = MatchTarget.INVOICES if parts else MatchTarget.ACCOUNT_CREDIT
    return Candidate(target, score, tuple(words), customer_id=customer_id, allocations=tuple(parts))


def by_reference(index: MatchIndex, line: BankLine) -> list[Candidate]:
    written = [*line.structured_references, *([line.customer_reference] if line.customer_reference else [])]
    for reference in [*written, *find_references(line.remittance)]:
        customer = customer_for(reference)
        if customer and index.known(customer):
            reason = f"reference {formatted(reference)} names {index.label(customer)}"
            return [paying(index, line, customer, REFERENCE_SCORE, [reason])]
    return []


def by_number(index: MatchIndex, line: BankLine) -> list[Candidate]:
    keys = {number_key(n) for n in line.invoice_numbers} | number_keys_in(line.remittance)
    named = {
        i.invoice_id: i
        for k in sorted(keys)
        for i in index.by_number.get(k, ())
        if i.currency == line.currency and index.left(i)
    }
    if named:
        return [_invoices_named(index, line, list(named.values()))]
    candidates = []
    for key in sorted(keys):
        for customer in sorted(index.customers_by_account.get(key, ())):
            candidates.append(_account_named(index, line, key, customer))
    return candidates


def _invoices_named(index: MatchIndex, line: BankLine, named: list[OpenInvoice]) -> Candidate:
    customers = sorted({i.customer_id for i in named}, key=lambda c: (-sum(i.customer_id == c for i in named), c))
    mine = sorted((i for i in named if i.customer_id == customers[0]), key=lambda i: (i.due_date, i.invoice_number))
    owed = sum(index.left(i) for i in mine)
    numbers = ", ".join(i.invoice_number for i in mine)
    if line.amount == owed:
        score, reason = INVOICE_EXACT_SCORE, f"amount equals the balance of {numbers}"
    elif line.amount < owed:
        score, reason = INVOICE_PARTIAL_SCORE, f"a partial payment of {numbers} ({money(owed, line.currency)} owed)"
    else:
        score, reason = INVOICE_OVER_SCORE, f"amount exceeds the balance of {numbers} ({money(owed, line.currency)})"
    reasons = [f"invoice {numbers} named in the remittance", reason]
    if len(customers) > 1:
        score -= SEVERAL_CUSTOMERS_PENALTY
        reasons.append(f"invoices of {len(customers)} customers named")
    return paying(index, line, customers[0], score, reasons, first=mine)


def _account_named(index: MatchIndex, line: BankLine, key: str, customer: str) -> Candidate:
    invoices = [
        i for i in index.invoices_of.get(customer, ())
        if i.account_number and index.account_key(i.account_number) == key and i.currency == line.currency
        and index.left(i)
    ]  # fmt: skip
    owed = sum(index.left(i) for i in invoices)
    if not invoices:
        score, reason = ACCOUNT_CREDIT_SCORE, "nothing open on the account"
    elif line.amount == owed:
        score, reason = ACCOUNT_EXACT_SCORE, "amount equals the account's open balance"
    elif line.amount < owed:
        score, reason = ACCOUNT_PARTIAL_SCORE, f"a partial payment of the account ({money(owed, line.currency)} open)"
    else:
        score, reason = ACCOUNT_OVER_SCORE, f"amount exceeds the account's open balance ({money(owed, line.currency)})"
    reasons = [f"account {key} of {index.label(customer)} named in the remittance", reason]
    return paying(index, line, customer, score, reasons, first=invoices)


def by_amount_and_name(index: MatchIndex, line: BankLine) -> list[Candidate]:
    """Customers named like the payer with an open invoice of exactly the amount; with no such customer (or no payer
    name), a few of the invoices of that amount, as suggestions only."""
    with_amount = []
    for hit in index.customers_named(line.payer_name):
        unpaid = [
            i for i in index.invoices_of.get(hit.customer_id, ())
            if i.balance == line.amount and i.currency == line.currency and not index.taken.get(i.invoice_id)
        ]  # fmt: skip
        if unpaid:
            with_amount.append((hit.customer_id, hit.score, hit.alias, unpaid[0]))
    if not with_amount:
        return _amount_only(index, line)
    sure = [c for c, score, _, _ in with_amount if score >= NAME_SURE]
    close = [c for c, score, _, _ in with_amount if score >= NAME_OTHER]
    candidates = []
    for customer, name, alias, invoice in with_amount[:3]:
        reasons = [f"amount equals the balance of {invoice.invoice_number}",
                   f"payer {line.payer_name!r} is {name:.0f}% like {'an alias of ' if alias else ''}"
                   f"{index.label(customer)}"]  # fmt: skip
        if sure == [customer] and len(close) == 1 and not _namesake_owes_it_in_several(index, line, customer):
            score = AMOUNT_ALIAS_SCORE if alias else AMOUNT_NAME_SCORE
        else:
            score = min(AMOUNT_NAME_CAP, round(30 + 0.55 * name))
            if len(with_amount) > 1:
                reasons.append(f"{len(with_amount)} customers named like this have an open invoice of this amount")
        candidates.append(paying(index, line, customer, score, reasons, first=[invoice]))
    return candidates


def _namesake_owes_it_in_several(index: MatchIndex, line: BankLine, customer: str) -> bool:
    """Another customer named as like the payer (>= 90) whose open invoices sum exactly to the amount: as likely
    the payer, so the one invoice of that amount is not applied alone."""
    others = [h for h in index.customers_named(line.payer_name) if h.score >= SPLIT_NAME and h.customer_id != customer]
    balances = ([index.left(i) for i in index.open_invoices(h.customer_id, line.currency)] for h in others)
    return any(_subsets_summing_to(b[:SPLIT_MAX_INVOICES], line.amount, 0) for b in balances)


def _amount_only(index: MatchIndex, line: BankLine) -> list[Candidate]:
    found = [
        i for i in index.by_amount.get((line.currency, line.amount), ())[:AMOUNT_CANDIDATES_CAP]
        if not index.taken.get(i.invoice_id)
    ]  # fmt: skip
    if not found or len(found) > AMOUNT_ONLY_MAX:
        return []
    score = AMOUNT_ONLY_UNIQUE_SCORE if len(found) == 1 else AMOUNT_ONLY_SCORE
    why = "no payer name" if not line.payer_name else f"no customer named like {line.payer_name!r} has one"
    reason = f"{len(found)} open invoice(s) of {money(line.amount, line.currency)}; {why}"
    return [paying(index, line, i.customer_id, score, [reason], first=[i]) for i in found]


def one_line_several_invoices(index: MatchIndex, line: BankLine, settings: MatchSettings) -> list[Candidate]:
    candidates = []
    named = [h for h in index.customers_named(line.payer_name) if h.score >= SPLIT_NAME]
    # Another customer so named owing exactly the amount on one invoice is as likely the payer: never applied then.
    one_invoice = {
        h.customer_id
        for h in named
        for i in index.invoices_of.get(h.customer_id, ())
        if i.currency == line.currency and index.left(i) == line.amount
    }
    for hit in named[:SPLIT_MAX_CUSTOMERS]:
        invoices = index.open_invoices(hit.customer_id, line.currency)[:SPLIT_MAX_INVOICES]
        fits = _subsets_summing_to([index.left(i) for i in invoices], line.amount, settings.amount_tolerance)
        if not fits:
            continue
        chosen = [invoices[k] for k in fits[0]]
        total = sum(index.left(i) for i in chosen)
        if len(fits) > 1:
            score = SPLIT_AMBIGUOUS_SCORE
        elif hit.score < NAME_SURE or len(named) > SPLIT_MAX_CUSTOMERS or one_invoice - {hit.customer_id}:
            score = SPLIT_WEAK_SCORE  # (with more customers so named than were searched, another may fit too)
        else:
            score = SPLIT_SURE_SCORE if total == line.amount else SPLIT_TOLERANCE_SCORE
        reasons = [
            f"payer {line.payer_name!r} is {hit.score:.0f}% like {index.label(hit.customer_id)}",
            f"{len(chosen)} of its open invoices sum to {money(total, line.currency)}",
        ]
        if len(fits) > 1:
            reasons.append(f"{len(fits)} sets of its invoices fit the amount")
        candidates.append(paying(index, line, hit.customer_id, score, reasons, first=chosen))
    return candidates


def _subsets_summing_to(balances: list[int], amount: int, tolerance: int) -> list[tuple[int, ...]]:
    """Sets of two or more balances summing to ``amount`` within ``tolerance``, the closest first (at most two:
    whether there is more than one is all the caller asks). Partial sums over the amount are dropped and at most
    SPLIT_MAX_SUMS are kept, so the search is bounded whatever the invoices."""
    if len(balances) < 2 or sum(balances) < amount - tolerance:
        return []
    sums: dict[int, list[tuple[int, ...]]] = {0: [()]}
    for k, balance in enumerate(balances):
        for total, sets in list(sums.items()):  # a snapshot: each balance is added at most once to a set
            grown = total + balance
            if grown <= amount + tolerance and (grown in sums or len(sums) < SPLIT_MAX_SUMS):
                known = sums.setdefault(grown, [])
                if len(known) < 2:
                    known.extend([(*s, k) for s in sets if not s or s[-1] != k][: 2 - len(known)])
    fits = [
        (abs(t - amount), s) for t, sets in sums.items() if abs(t - amount) <= tolerance for s in sets if len(s) > 1
    ]
    return [s for _, s in sorted(fits)][:2]


def one_of_several_lines(index: MatchIndex, line: BankLine, shared: SharedInvoice) -> list[Candidate]:
    """The line is one of several lines of one payer in the file summing to an invoice's balance."""
    invoice, others, total = shared.invoice, shared.others, shared.total
    name, alias = index.name_score(line.payer_name, invoice.customer_id)
    score = SPLIT_TOLERANCE_SCORE if name >= NAME_SURE and shared.unique else SPLIT_WEAK_SCORE
    reasons = [
        f"with {others} other line(s) of {line.payer_name!r} it sums to {money(total, line.currency)}, "
        f"the balance of {invoice.invoice_number}",
        f"payer is {name:.0f}% like {'an alias of ' if alias else ''}{index.label(invoice.customer_id)}",
    ]
    return [paying(index, line, invoice.customer_id, score, reasons, first=[invoice])]
