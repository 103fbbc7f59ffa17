"""A deployed function reads the agency's larger settings from the settings file its layer carries
(``catalog.settings_file``, ``arportal.config.settings``): what CDK splits out of the environment comes back whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arportal.config import settings
from arportal.domain.models import PaymentMethodType
from arportal.services.payments import fee_schedule
from infrastructure import catalog
from local.demo_chart_of_accounts import DEMO_CHART_OF_ACCOUNTS


def _environment() -> dict[str, str]:
    names = ("ledger_table", "audit_table", "idempotency_table", "documents_bucket", "audit_bucket", "event_bus")
    names += ("customer_pool_id", "staff_pool_id", "agency_name", "currency", "processor", "sender_email", "stage")
    values = {**dict.fromkeys(names, "x"), "currency": "USD", "processor": "sandbox"}
    return catalog.runtime_environment(
        **values,
        approval_threshold_minor=0,
        convenience_fees={"card": {"basis_points": 250}},
        chart_of_accounts=DEMO_CHART_OF_ACCOUNTS,
    )


@pytest.fixture
def deployed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The environment and the file as CDK deploys them (the file's path made a temporary one)."""
    environment, in_file = catalog.settings_file(_environment())
    assert set(in_file) == set(catalog.SETTINGS_FILE_VARIABLES)
    path = tmp_path / "agency-settings.json"
    path.write_text(json.dumps(in_file))
    for name in list(environment) + list(catalog.SETTINGS_FILE_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**environment, "AGENCY_SETTINGS_FILE": str(path)}.items():
        monkeypatch.setenv(name, value)
    settings.cache_clear()
    yield path
    settings.cache_clear()


def test_the_settings_moved_to_the_file_are_read_back_whole(deployed: Path) -> None:
    read = settings()
    assert read.chart_of_accounts is not None
    assert fee_schedule(read.convenience_fees).fee_for(PaymentMethodType.CARD, 10_000) == 250
    assert "CHART_OF_ACCOUNTS" not in catalog.settings_file(_environment())[0]


def test_the_environment_wins_over_the_file(deployed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVENIENCE_FEES", "{}")
    settings.cache_clear()
    assert fee_schedule(settings().convenience_fees).fee_for(PaymentMethodType.CARD, 10_000) == 0


def test_a_file_that_cannot_be_read_says_so(deployed: Path) -> None:
    deployed.write_text("[1, 2]")
    settings.cache_clear()
    with pytest.raises(RuntimeError, match="not an object of strings"):
        settings()
    deployed.unlink()
    settings.cache_clear()
    with pytest.raises(RuntimeError, match="cannot be read as JSON"):
        settings()
