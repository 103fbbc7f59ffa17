"""``balanceSources`` in the deployment config -> ``BALANCE_SOURCES`` for the functions -> the connectors' specs."""

from __future__ import annotations

import json

import pytest

from arportal.adapters.balances.config import sources
from arportal.config import RuntimeSettings
from arportal.domain.errors import DependencyError
from infrastructure import catalog
from infrastructure.deployment_config import DeploymentConfigError, load

BASE = {"agency": "springfield", "agencyName": "City of Springfield", "senderEmail": "pay@springfield.example.gov"}
PARKING = {"name": "Parking enforcement system", "base_url": "https://parking.example.gov/api", "secret_name": "pk"}


def _environment(balance_sources: dict) -> dict[str, str]:
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
        balance_sources=balance_sources,
    )


def test_a_configured_system_reaches_the_functions_settings():
    config = load({**BASE, "balanceSources": json.dumps({"parking": PARKING})})  # as `-c balanceSources='{...}'`
    env = _environment(config.balance_sources_json())
    settings = RuntimeSettings.model_validate(env)
    specs = sources(settings.balance_sources)
    assert list(specs) == ["parking"]
    assert specs["parking"].base_url == PARKING["base_url"] and specs["parking"].timeout_ms == 2000


def test_by_default_every_department_is_answered_by_the_ledger():
    config = load(BASE)
    assert config.balance_sources_json() == {}
    assert RuntimeSettings.model_validate(_environment({})).balance_sources == {}


@pytest.mark.parametrize(
    "source",
    [
        {**PARKING, "base_url": "http://parking.example.gov"},  # plain HTTP off this machine
        {**PARKING, "base_url": "https://parking.example.gov/a b"},
        {**PARKING, "timeout_ms": 60_000},
        {**PARKING, "name": ""},
        {**PARKING, "password": "hunter2"},  # credentials belong in Secrets Manager
    ],
)
def test_a_wrong_source_stops_the_synth_naming_the_key(source):
    with pytest.raises(DeploymentConfigError, match=r"balanceSources\.parking"):
        load({**BASE, "balanceSources": {"parking": source}})


def test_department_codes_are_checked_and_loopback_http_is_allowed_for_the_local_demo():
    with pytest.raises(DeploymentConfigError, match="balanceSources"):
        load({**BASE, "balanceSources": {"Parking Dept": PARKING}})
    local = load({**BASE, "balanceSources": {"parking": {**PARKING, "base_url": "http://127.0.0.1:8123"}}})
    assert local.balance_sources["parking"].base_url == "http://127.0.0.1:8123"
    with pytest.raises(DeploymentConfigError, match="not JSON"):
        load({**BASE, "balanceSources": "{parking"})


def test_a_deployment_value_the_functions_cannot_use_is_a_503_not_a_crash():
    with pytest.raises(DependencyError):
        sources({"parking": {"name": "P"}})
