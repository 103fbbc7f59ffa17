"""The boundary types of ``arportal.domain.values``: what each accepts, that every id the product makes or loads is
one of them, and that no function module or the HTTP edge writes a pattern of its own for them."""

from __future__ import annotations

import ast
import random
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from arportal.domain import values as v
from arportal.domain.ids import new_id
from local.seed_data import Ids
from tests import builders

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "layers" / "arportal" / "python" / "arportal" / "domain" / "values.py"
# Where a pattern of an identifier below may not be written: it is imported from the home instead.
SCANNED = [ROOT / "functions", ROOT / "layers" / "arportal" / "python" / "arportal" / "api"]
# What a regular expression (or a piece of one) for each identifier looks like in source.
OWN_PATTERNS = {
    "account number": re.compile(r"\[A-Z\]\{\d(,\d+)?\}-\[0-9\]"),
    "invoice id": re.compile(r"inv_\["),
    "payment id": re.compile(r"pay_\["),
    "customer id": re.compile(r"CUS-\[|\[Cc\]\[Uu\]\[Ss\]"),
    "webhook endpoint id": re.compile(r"whe_\["),
}
HOME_PATTERNS = {name for name in dir(v) if name.endswith("_PATTERN")}


def _valid(kind: Any, value: object) -> bool:
    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (v.AccountNumber, ["UT-200001", "WATR-123456789012"], ["ut-200001", "U-2000", "UT-123", "UT200001"]),
        (v.InvoiceNumber, ["UT-2026-00001", "A12"], ["ut-2026", "-UT", "AB"]),
        (v.InvoiceId, ["inv_01ARZ3NDEKTSV4RRFFQ69G5FAV", "inv_NOONE00000"], ["inv_1", "pay_01ARZ3NDEKTS", "inv_a-b"]),
        (v.PaymentId, ["pay_01ARZ3NDEKTSV4RRFFQ69G5FAV", "pay_0000000000"], ["pay_1", "receipt-42", "pay_" + "A" * 41]),
        (v.CustomerId, ["CUS-7K3M9Q2X", "CUS-000001"], ["cus-7K3M9Q2X", "CUS-12", "CUS_0001"]),
        (v.CustomerIdAnyCase, ["CUS-7K3M9Q2X", "cus-7k3m9q2x"], ["CUS-12", "customer-1"]),
        (v.DepartmentCode, ["property_tax", "parking"], ["Parking", "p", "1tax"]),
        (v.FeeCode, ["WATER_USAGE", "F1"], ["water", "F"]),
        (v.Currency, ["USD", "JPY"], ["usd", "US", "USDT"]),
        (
            v.WebhookEndpointId,
            ["whe_01ARZ3NDEKTSV4RRFFQ69G5FAV"],
            ["whe_01arz3ndektsv4rrffq69g5fav", "whe_01ARZ3NDEKTSV4RRFFQ69G5FA", "pay_01ARZ3NDEKTSV4RRFFQ69G5FAV"],
        ),
    ],
)
def test_each_type_takes_its_own_shape_and_nothing_else(kind: Any, good: list[str], bad: list[str]) -> None:
    assert all(_valid(kind, value) for value in good), good
    assert not any(_valid(kind, value) for value in bad), bad


@pytest.mark.parametrize(
    ("kind", "low", "high"),
    [
        (v.MinorAmount, 0, v.MAX_MINOR_AMOUNT),
        (v.PositiveMinorAmount, 1, v.MAX_MINOR_AMOUNT),
        (v.SignedMinorAmount, -v.MAX_MINOR_AMOUNT, v.MAX_MINOR_AMOUNT),
    ],
)
def test_amounts_are_integers_of_minor_units_within_their_bounds(kind: Any, low: int, high: int) -> None:
    assert _valid(kind, low) and _valid(kind, high)
    assert not _valid(kind, low - 1) and not _valid(kind, high + 1)
    assert not _valid(kind, 1.5)


@given(st.integers(min_value=0, max_value=2**48 - 1))
def test_every_id_the_product_makes_is_an_invoice_id_or_a_payment_id(millis: int) -> None:
    assert _valid(v.InvoiceId, new_id("inv", now_ms=millis))
    assert _valid(v.PaymentId, new_id("pay", now_ms=millis))
    assert not _valid(v.InvoiceId, new_id("pay", now_ms=millis))
    assert _valid(v.WebhookEndpointId, new_id("whe", now_ms=millis))


# hypothesis takes naive bounds; timezones= makes each datetime drawn aware
@given(st.integers(min_value=0), st.datetimes(min_value=datetime(2000, 1, 1), timezones=st.just(UTC)))  # noqa: DTZ001
def test_the_seeded_demo_agency_ids_are_the_same_types(seed: int, at: datetime) -> None:
    ids = Ids(random.Random(seed))
    assert _valid(v.InvoiceId, ids.new("inv", at)) and _valid(v.PaymentId, ids.new("pay", at))
    assert _valid(v.CustomerId, ids.customer())


def test_the_test_builders_make_valid_ids() -> None:
    assert _valid(v.InvoiceId, builders.invoice("CUS-000001", "UT-200001").invoice_id)
    assert _valid(v.PaymentId, builders.payment("CUS-000001").payment_id)
    assert _valid(v.AccountNumber, builders.account("CUS-000001").account_number)


@given(st.from_regex(v.CUSTOMER_ID_ANY_CASE_PATTERN, fullmatch=True))
def test_a_customer_id_typed_in_any_case_is_a_customer_id_once_upper_cased(typed: str) -> None:
    assert _valid(v.CustomerId, typed.upper())


@given(st.from_regex(v.CUSTOMER_ID_PATTERN, fullmatch=True))
def test_every_customer_id_may_be_typed(stored: str) -> None:
    assert _valid(v.CustomerIdAnyCase, stored) and _valid(v.CustomerIdAnyCase, stored.lower())


def _own_patterns(path: Path) -> list[str]:
    """Where ``path`` writes a pattern of an identifier, or passes a home pattern to ``pattern=`` itself."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [f"{node.lineno}: {what} pattern" for what, p in OWN_PATTERNS.items() if p.search(node.value)]
        if isinstance(node, ast.keyword) and node.arg == "pattern":
            name = node.value.id if isinstance(node.value, ast.Name) else getattr(node.value, "attr", None)
            if name in HOME_PATTERNS:
                found.append(f"{node.lineno}: pattern={name} (use the type)")
    return found


def test_no_function_or_api_module_writes_its_own_identifier_pattern() -> None:
    sources = sorted(p for root in SCANNED for p in root.rglob("*.py"))
    assert len(sources) > 50
    found = {str(p.relative_to(ROOT)): hits for p in sources if (hits := _own_patterns(p))}
    assert found == {}, f"import the type from arportal.domain.values (or arportal.api.parameters): {found}"


def test_the_scan_finds_every_identifier_pattern_the_home_writes() -> None:
    written = " ".join(_own_patterns(HOME))
    assert all(f"{what} pattern" in written for what in OWN_PATTERNS)
