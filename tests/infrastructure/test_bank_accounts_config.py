"""The agency's bank accounts (``bankAccounts``) and the bank-file drop in the stack (issue 15): validated at synth
naming what is wrong, carried compactly in the settings file, read back whole by
``arportal.config``; the import bucket notifies workflow_tasks of files under bank-files/inbox/ and lets it read
that prefix only; the integrations resource server offers bank_files.write."""

from __future__ import annotations

import json
from typing import Any

import pytest

from arportal.config import RuntimeSettings
from arportal.domain.bank_accounts import Receives
from infrastructure import catalog
from infrastructure.deployment_config import DeploymentConfigError, load
from local.demo_bank_accounts import DEMO_BANK_ACCOUNTS, demo_bank_accounts_json
from tests.infrastructure.synth import Synthesized, context

pytestmark = pytest.mark.xdist_group("cdk")


def _with(**changes: Any) -> dict[str, Any]:
    accounts = json.loads(json.dumps(DEMO_BANK_ACCOUNTS))
    accounts["operating"].update(changes)
    return accounts


@pytest.mark.parametrize(
    ("accounts", "message"),
    [
        (_with(routingNumber="011000016"), r"bankAccounts\.operating\.routingNumber: .*ABA check digit"),
        (_with(routingNumber="11000015"), r"bankAccounts\.operating\.routingNumber"),
        (_with(receives=["wires", "cheques"]), r"bankAccounts\.operating\.receives\.1: .*'lockbox'"),
        (_with(receives=[]), r"bankAccounts\.operating\.receives"),
        (_with(currency="EUR"), r"bankAccounts\.operating: currency EUR differs from the agency's USD"),
        (_with(accountNumber="004400987654"), r"bankAccounts: each account number once"),
        (_with(accountNumber="44-00"), r"bankAccounts\.operating\.accountNumber"),
        ({"Operating": DEMO_BANK_ACCOUNTS["operating"]}, r"bankAccounts\.Operating"),
        (_with(iban="DE00"), r"bankAccounts\.operating\.iban"),
    ],
)
def test_a_wrong_bank_account_stops_the_synth_naming_it(accounts: dict[str, Any], message: str) -> None:
    with pytest.raises(DeploymentConfigError, match=message):
        load(context(bankAccounts=json.dumps(accounts)))


def test_two_accounts_may_receive_payouts_and_none_need_to() -> None:
    both = _with()
    both["lockbox"]["receives"] = ["lockbox", "processor_payouts"]
    assert len(load(context(bankAccounts=both)).bank_accounts) == 2
    lockbox_only = {"lockbox": DEMO_BANK_ACCOUNTS["lockbox"]}
    assert list(load(context(bankAccounts=lockbox_only)).bank_accounts) == ["lockbox"]


def test_the_functions_read_back_what_the_config_says(monkeypatch: pytest.MonkeyPatch) -> None:
    config = load(context())
    env = catalog.runtime_environment(
        ledger_table="l", audit_table="a", idempotency_table="i", documents_bucket="d", audit_bucket="b",
        event_bus="e", customer_pool_id="c", staff_pool_id="s", agency_name="A", currency="USD",
        processor="sandbox", approval_threshold_minor=1, sender_email="x@y.z", stage="dev",
        bank_accounts=config.bank_accounts_json(),
    )  # fmt: skip
    assert len(env["BANK_ACCOUNTS"]) < 200  # compact: one letter a kind, the agency's currency left out
    settings = RuntimeSettings.model_validate(env)
    by_id = {a.account_id: a for a in settings.bank_accounts}
    assert by_id["operating"].receives == frozenset(
        {Receives.PROCESSOR_PAYOUTS, Receives.COUNTER_DEPOSITS, Receives.WIRES, Receives.ACH_CREDITS,
         Receives.ACH_DEBITS}
    )  # fmt: skip
    assert (by_id["lockbox"].account_number, by_id["lockbox"].routing_number, by_id["lockbox"].currency) == (
        "4400987654",
        "011000015",
        "USD",
    )
    assert by_id["lockbox"].bank_name == "First Bank of Springfield"
    # cdk.json's demo agency and the local runtime's are the same accounts
    assert config.bank_accounts_json() == demo_bank_accounts_json()
    assert RuntimeSettings.model_validate({**env, "BANK_ACCOUNTS": ""}).bank_accounts == ()


def _environment(synthesized: Synthesized, name: str) -> dict[str, Any]:
    variables: dict[str, Any] = synthesized.resource(synthesized.stack.functions[name])["Properties"]["Environment"][
        "Variables"
    ]
    return variables


def test_the_bank_accounts_reach_the_functions_in_the_settings_file(synthesized: Synthesized) -> None:
    assert json.loads(synthesized.settings_file()["BANK_ACCOUNTS"])["lockbox"][-1] == "L"
    assert not any("BANK_ACCOUNTS" in _environment(synthesized, name) for name in synthesized.stack.functions.functions)


def test_the_import_bucket_notifies_workflow_tasks_of_bank_files_in_the_drop(synthesized: Synthesized) -> None:
    (notification,) = synthesized.of_type("Custom::S3BucketNotifications").values()
    properties = notification["Properties"]
    assert properties["BucketName"] == {"Ref": synthesized.logical_id(synthesized.stack.imports.bucket)}
    (config,) = properties["NotificationConfiguration"]["LambdaFunctionConfigurations"]
    tasks = synthesized.logical_id(synthesized.stack.functions["workflow_tasks"])
    assert config["LambdaFunctionArn"] == {"Fn::GetAtt": [tasks, "Arn"]}
    assert config["Events"] == ["s3:ObjectCreated:*"]
    assert config["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "bank-files/inbox/"}]
    permissions = [
        p["Properties"]
        for p in synthesized.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "s3.amazonaws.com"
    ]
    assert [p["FunctionName"] for p in permissions] == [{"Fn::GetAtt": [tasks, "Arn"]}]


def test_workflow_tasks_reads_the_drop_and_no_other_function_does(synthesized: Synthesized) -> None:
    bucket = synthesized.logical_id(synthesized.stack.imports.bucket)
    drop = json.dumps({"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, "/bank-files/inbox/*"]]})
    readers = []
    for policy in synthesized.of_type("AWS::IAM::Policy").values():
        if drop in json.dumps(policy["Properties"]["PolicyDocument"]):
            readers += [r["Ref"] for r in policy["Properties"]["Roles"]]
    tasks_role = synthesized.stack.functions["workflow_tasks"].role
    assert readers == [synthesized.logical_id(tasks_role)]


def test_the_integrations_resource_server_offers_bank_files_write(synthesized: Synthesized) -> None:
    (server,) = synthesized.of_type("AWS::Cognito::UserPoolResourceServer").values()
    assert "bank_files.write" in {s["ScopeName"] for s in server["Properties"]["Scopes"]}


def test_bank_files_sent_as_octet_stream_reach_the_function_byte_for_byte(synthesized: Synthesized) -> None:
    (api,) = synthesized.of_type("AWS::ApiGateway::RestApi").values()
    assert "application/octet-stream" in api["Properties"]["BinaryMediaTypes"]


def test_the_agency_sets_how_sure_matching_must_be_and_its_tolerance() -> None:
    config = load(context(bankMatching=json.dumps({"autoApplyScore": 95, "amountToleranceMinor": 100})))
    env = catalog.runtime_environment(
        ledger_table="l", audit_table="a", idempotency_table="i", documents_bucket="d", audit_bucket="b",
        event_bus="e", customer_pool_id="c", staff_pool_id="s", agency_name="A", currency="USD",
        processor="sandbox", approval_threshold_minor=1, sender_email="x@y.z", stage="dev",
        bank_matching=config.bank_matching_json(),
    )  # fmt: skip
    matching = RuntimeSettings.model_validate(env).bank_matching
    assert (matching.auto_apply_score, matching.amount_tolerance, matching.deposit_window_banking_days) == (95, 100, 2)
    defaults = RuntimeSettings.model_validate({**env, "BANK_MATCHING": "{}"}).bank_matching
    assert (defaults.auto_apply_score, defaults.amount_tolerance) == (90, 0)


@pytest.mark.parametrize(
    ("matching", "message"),
    [
        ({"autoApplyScore": 120}, r"bankMatching\.autoApplyScore"),
        ({"autoApplyScore": 40}, r"bankMatching\.autoApplyScore"),
        ({"amountToleranceMinor": -1}, r"bankMatching\.amountToleranceMinor"),
        ({"autoapplyScore": 95}, r"bankMatching\.autoapplyScore"),
    ],
)
def test_a_matching_setting_out_of_bounds_or_misspelt_stops_the_synth(matching: dict[str, int], message: str) -> None:
    with pytest.raises(DeploymentConfigError, match=message):
        load(context(bankMatching=json.dumps(matching)))
