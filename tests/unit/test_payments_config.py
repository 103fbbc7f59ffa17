"""The agency's convenience fees travel from the deployment config to the functions and into the fee schedule."""

from __future__ import annotations

import json

import pytest

from arportal.config import RuntimeSettings
from arportal.domain.models import PaymentMethodType
from arportal.services.payments import fee_schedule
from infrastructure import catalog
from infrastructure.deployment_config import DeploymentConfigError, load

BASE = {"agency": "springfield", "agencyName": "City of Springfield", "senderEmail": "pay@springfield.example"}


def environment(fees: dict | None) -> dict[str, str]:
    names = ("ledger_table", "audit_table", "idempotency_table", "documents_bucket", "audit_bucket", "event_bus")
    names += ("customer_pool_id", "staff_pool_id", "agency_name", "currency", "processor", "sender_email", "stage")
    values = {**dict.fromkeys(names, "x"), "currency": "USD", "processor": "sandbox"}
    return catalog.runtime_environment(**values, approval_threshold_minor=0, convenience_fees=fees)


def test_the_default_schedule_charges_card_and_wallet_2_5_percent_and_nothing_else():
    config = load(BASE)
    settings = RuntimeSettings.model_validate(environment(config.convenience_fees_json()))
    schedule = fee_schedule(settings.convenience_fees)
    fees = {method: schedule.fee_for(method, 10_000) for method in PaymentMethodType}
    assert fees[PaymentMethodType.CARD] == fees[PaymentMethodType.WALLET] == 250
    assert fees[PaymentMethodType.DEBIT] == fees[PaymentMethodType.ACH] == fees[PaymentMethodType.CASH] == 0


def test_an_agency_sets_its_own_from_the_command_line():
    given = {"card": {"fixed": 30, "basis_points": 290, "cap": 1_000}, "ach": {"fixed": 100}}
    config = load({**BASE, "convenienceFees": json.dumps(given)})  # `-c convenienceFees='{...}'` is a string
    env = environment(config.convenience_fees_json())
    assert json.loads(env["CONVENIENCE_FEES"])["card"] == {"fixed": 30, "basis_points": 290, "cap": 1_000}
    schedule = fee_schedule(RuntimeSettings.model_validate(env).convenience_fees)
    assert schedule.fee_for(PaymentMethodType.CARD, 10_000) == 30 + 290
    assert schedule.fee_for(PaymentMethodType.CARD, 1_000_000) == 1_000  # capped
    assert schedule.fee_for(PaymentMethodType.ACH, 5) == 100
    assert schedule.fee_for(PaymentMethodType.WALLET, 10_000) == 0  # left out: free


@pytest.mark.parametrize(
    "fees",
    [
        '{"bitcoin": {"fixed": 1}}',
        '{"card": {"basis_points": 5000}}',
        '{"card": {"fixed": -1}}',
        '{"card": {"percent": 2.5}}',
        "not json",
    ],
)
def test_a_wrong_schedule_stops_the_synth_naming_the_key(fees):
    with pytest.raises(DeploymentConfigError, match="convenienceFees"):
        load({**BASE, "convenienceFees": fees})


def test_without_the_variable_nothing_is_charged():
    env = environment(None)
    assert env["CONVENIENCE_FEES"] == "{}"
    schedule = fee_schedule(RuntimeSettings.model_validate(env).convenience_fees)
    assert schedule.fee_for(PaymentMethodType.CARD, 10_000) == 0


@pytest.mark.parametrize(("given", "charged"), [(None, True), ("false", False), ("true", True), (False, False)])
def test_whether_staff_channels_charge_the_fee_travels_to_the_functions(given, charged):
    # `-c staffConvenienceFees=false` arrives as a string; cdk.json may hold a boolean; left out, staff channels
    # charge what the portal charges
    config = load({**BASE, **({} if given is None else {"staffConvenienceFees": given})})
    assert config.staff_convenience_fees is charged
    names = ("ledger_table", "audit_table", "idempotency_table", "documents_bucket", "audit_bucket", "event_bus")
    names += ("customer_pool_id", "staff_pool_id", "agency_name", "currency", "processor", "sender_email", "stage")
    values = {**dict.fromkeys(names, "x"), "currency": "USD", "processor": "sandbox"}
    env = catalog.runtime_environment(
        **values, approval_threshold_minor=0, staff_convenience_fees=config.staff_convenience_fees
    )
    assert env["STAFF_CONVENIENCE_FEES"] == ("true" if charged else "false")
    assert RuntimeSettings.model_validate(env).staff_convenience_fees is charged
    assert RuntimeSettings.model_validate(environment(None)).staff_convenience_fees is True
