"""The chart-of-accounts mapping (``domain/chart_of_accounts.py``): lookups, loud failures, and how it travels from
the deployment config to the functions' settings."""

from __future__ import annotations

import copy
import json
import random
import re
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from arportal.config import RuntimeSettings
from arportal.domain import staff_actions, upsert_plans
from arportal.domain.chart_of_accounts import (
    PLATFORM_FEE_CODES,
    ChartOfAccounts,
    GlAccount,
    Role,
    UnmappedCodeError,
)
from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import PaymentMethodType
from infrastructure import catalog
from infrastructure.deployment_config import load
from local import seed_bills
from local.demo_chart_of_accounts import DEMO_CHART_OF_ACCOUNTS

ROOT = Path(__file__).resolve().parents[2]
CHART = ChartOfAccounts.model_validate(DEMO_CHART_OF_ACCOUNTS)


def test_each_role_answers_its_fund_and_account():
    assert CHART.account_for(Role.REVENUE, department="utilities", fee_code="WATER_USAGE") == GlAccount(
        "510", "4411", "utilities"
    )
    assert CHART.account_for(Role.CLEARING, method=PaymentMethodType.ACH) == GlAccount("100", "1016")
    assert CHART.account_for(Role.CLEARING, method="cheque") == GlAccount("100", "1012")
    assert CHART.account_for(Role.CONVENIENCE_FEE, method="card") == GlAccount("100", "4810")
    assert CHART.account_for(Role.PROCESSOR_FEES) == GlAccount("100", "5310")
    assert CHART.account_for(Role.CREDIT_HELD, department="parking") == GlAccount("220", "2250", "parking")
    assert CHART.account_for(Role.RECEIVABLE, department="permits") == GlAccount("210", "1210", "permits")
    assert CHART.account_for(Role.REFUNDS, department="utilities").account == "4910"
    assert CHART.account_for(Role.REVERSALS, department="utilities").account == "4920"
    assert CHART.account_for(Role.ADJUSTMENTS, department="utilities").account == "4930"
    assert CHART.account_for(Role.BAD_DEBT, department="property_tax") == GlAccount("100", "5810", "property_tax")
    assert CHART.account_for(Role.DUE_FROM, fund="510") == GlAccount("510", "1310")
    assert CHART.account_for(Role.DUE_TO, fund="100") == GlAccount("100", "2110")


@pytest.mark.parametrize(
    ("lookup", "named"),
    [
        ({"role": Role.REVENUE, "department": "utilities", "fee_code": "SOLAR_RIDER"}, "SOLAR_RIDER"),
        ({"role": Role.REVENUE, "department": "library", "fee_code": "LATE_BOOK"}, "library"),
        ({"role": Role.CREDIT_HELD, "department": "library"}, "library"),
        ({"role": Role.BAD_DEBT, "department": "cemetery"}, "cemetery"),
        ({"role": Role.CLEARING, "method": "credit"}, "credit"),
        ({"role": Role.CLEARING, "method": "barter"}, "barter"),
    ],
)
def test_what_the_chart_does_not_map_fails_loudly_naming_the_code(lookup, named):
    role = lookup.pop("role")
    with pytest.raises(UnmappedCodeError, match=re.escape(repr(named))) as raised:
        CHART.account_for(role, **lookup)
    assert isinstance(raised.value, BusinessRuleError) and raised.value.code == "unmapped_gl_code"


def test_a_convenience_fee_of_an_unmapped_method_names_it():
    raw = copy.deepcopy(DEMO_CHART_OF_ACCOUNTS)
    del raw["convenienceFees"]["wallet"]  # type: ignore[attr-defined]
    with pytest.raises(UnmappedCodeError, match="'wallet'"):
        ChartOfAccounts.model_validate(raw).account_for(Role.CONVENIENCE_FEE, method="wallet")


@pytest.mark.parametrize("code", PLATFORM_FEE_CODES)
def test_a_department_without_a_platform_fee_code_is_refused_naming_it(code):
    raw = copy.deepcopy(DEMO_CHART_OF_ACCOUNTS)
    del raw["departments"]["parking"]["revenue"][code]  # type: ignore[index]
    with pytest.raises(ValidationError, match=rf"departments\.parking[\s\S]*'{code}'"):
        ChartOfAccounts.model_validate(raw)


def test_every_method_money_arrives_by_has_a_clearing_account_and_credit_none():
    raw = copy.deepcopy(DEMO_CHART_OF_ACCOUNTS)
    del raw["clearing"]["accounts"]["cheque"]  # type: ignore[index]
    with pytest.raises(ValidationError, match="'cheque' has no clearing account"):
        ChartOfAccounts.model_validate(raw)
    raw = copy.deepcopy(DEMO_CHART_OF_ACCOUNTS)
    raw["clearing"]["accounts"]["credit"] = "1019"  # type: ignore[index]
    with pytest.raises(ValidationError, match="'credit' is held credit applied"):
        ChartOfAccounts.model_validate(raw)


def test_the_platform_fee_codes_are_the_ones_the_platform_writes():
    assert staff_actions.ADJUSTMENT_FEE_CODE in PLATFORM_FEE_CODES
    assert upsert_plans.LOWERED_LINE_FEE_CODE in PLATFORM_FEE_CODES
    staff_payments = (ROOT / "layers/arportal/python/arportal/services/staff_payments.py").read_text()
    assert 'fee_code=line.fee_code or "FEE"' in staff_payments  # the counter fee given no code


def test_unmapped_names_each_department_and_fee_method_missing():
    assert CHART.unmapped(departments=["parking", "library"], fee_methods=["card", "crypto"]) == [
        "department 'library'",
        "convenience fee of 'crypto'",
    ]
    assert CHART.unmapped(departments=[d.code for d in seed_bills.DEPARTMENTS], fee_methods=["card", "wallet"]) == []


def test_the_demo_chart_maps_every_fee_code_the_seed_bills():
    today = date(2026, 3, 12)
    codes: dict[str, set[str]] = {}
    for seed in range(40):
        rng = random.Random(seed)
        for department in seed_bills.DEPARTMENTS:
            found = seed_bills.bills(
                department.code, rng, start=date(2024, 1, 1), today=today, business=seed % 2 == 0, utility_offset_days=9
            )
            if department.code == "parking":  # the seed's late penalty (local/seed_data.py), and the demo's
                found += [seed_bills.with_late_penalty(bill) for bill in found]
                found += seed_bills.demo_citations(rng, today)
            orders = seed_bills.orders(department.code, rng, today=today, demo=seed == 0)
            lines = [line for bill in found for line in bill.lines] + [line for o in orders for line in o.lines]
            codes.setdefault(department.code, set()).update(line.fee_code for line in lines)
    assert set(codes) == {d.code for d in seed_bills.DEPARTMENTS}
    for department, fee_codes in codes.items():
        for fee_code in fee_codes:
            CHART.account_for(Role.REVENUE, department=department, fee_code=fee_code)  # raises when unmapped
    assert "PK_LATE_PENALTY" in codes["parking"] and "BACKFLOW_TEST" in codes["utilities"]


def test_docs_show_the_demo_chart_as_the_example():
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    section = deploy.split("### The chart of accounts", 1)[1]
    example = section.split("```json", 1)[1].split("```", 1)[0]
    assert json.loads(example) == DEMO_CHART_OF_ACCOUNTS


def _environment(chart: dict[str, object] | None) -> dict[str, str]:
    names = ("ledger_table", "audit_table", "idempotency_table", "documents_bucket", "audit_bucket", "event_bus")
    return catalog.runtime_environment(
        **dict.fromkeys(names, "x"),
        customer_pool_id="c",
        staff_pool_id="s",
        agency_name="City",
        currency="USD",
        processor="sandbox",
        approval_threshold_minor=0,
        sender_email="a@b.co",
        stage="dev",
        chart_of_accounts=chart,
    )


def test_the_config_s_chart_reaches_the_functions_settings_as_the_domain_model():
    config = load(
        {
            "agency": "springfield",
            "agencyName": "City of Springfield",
            "senderEmail": "pay@springfield.example.gov",
            "chartOfAccounts": json.dumps(DEMO_CHART_OF_ACCOUNTS),  # as `-c chartOfAccounts='{...}'`
        }
    )
    env = _environment(config.chart_of_accounts_json())
    assert json.loads(env["CHART_OF_ACCOUNTS"]) == DEMO_CHART_OF_ACCOUNTS
    assert RuntimeSettings.model_validate(env).chart_of_accounts == CHART


def test_without_a_chart_the_functions_settle_for_none():
    env = _environment(None)
    assert env["CHART_OF_ACCOUNTS"] == ""
    assert RuntimeSettings.model_validate(env).chart_of_accounts is None
    unset = {k: v for k, v in env.items() if k != "CHART_OF_ACCOUNTS"}
    assert RuntimeSettings.model_validate(unset).chart_of_accounts is None


def test_a_malformed_chart_in_the_environment_fails_the_settings():
    env = {**_environment(None), "CHART_OF_ACCOUNTS": json.dumps({"clearing": {}})}
    with pytest.raises(ValidationError, match=r"chart_of_accounts|CHART_OF_ACCOUNTS"):
        RuntimeSettings.model_validate(env)
