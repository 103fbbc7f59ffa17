"""``chartOfAccounts`` is validated at synth: what the config knows and the chart does not map stops the synth,
naming the code; a valid chart reaches every function as ``CHART_OF_ACCOUNTS``."""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace
from typing import Any

import aws_cdk as cdk
import pytest

from infrastructure import catalog
from infrastructure.deployment_config import DeploymentConfigError
from local.demo_chart_of_accounts import DEMO_CHART_OF_ACCOUNTS
from tests.infrastructure.synth import Synthesized, app_module, context, synthesize

pytestmark = pytest.mark.xdist_group("cdk-chart")

PARKING = {"name": "Parking enforcement system", "base_url": "https://parking.example.gov/api"}
LIBRARY = {"name": "Library fines", "base_url": "https://library.example.gov/api"}


def _chart(change: Any = None) -> dict[str, Any]:
    chart: dict[str, Any] = copy.deepcopy(DEMO_CHART_OF_ACCOUNTS)
    if change is not None:
        change(chart)
    return chart


def _fails_naming(named: str, **overrides: Any) -> None:
    app = cdk.App(context=context(**overrides))
    with pytest.raises(DeploymentConfigError, match=named) as raised:
        app_module.build(app)
    assert "chartOfAccounts" in str(raised.value)
    assert app.node.try_find_child(f"ArPortal-springfield-{context()['stage']}") is None


def test_a_department_the_config_knows_but_the_chart_does_not_map_stops_the_synth_naming_it() -> None:
    # balanceSources names the departments whose systems the console reads; each must have a fund
    _fails_naming(
        "department 'library'",
        balanceSources=json.dumps({"parking": PARKING, "library": LIBRARY}),
        chartOfAccounts=json.dumps(_chart()),
    )


def test_a_convenience_fee_the_chart_does_not_map_stops_the_synth_naming_its_method() -> None:
    def no_ach_fee(chart: dict[str, Any]) -> None:
        del chart["convenienceFees"]["ach"]

    _fails_naming(
        "convenience fee of 'ach'",
        convenienceFees=json.dumps({"card": {"basis_points": 250}, "ach": {"fixed": 150}}),
        chartOfAccounts=json.dumps(_chart(no_ach_fee)),
    )


def test_a_free_method_needs_no_fee_account() -> None:
    def card_only(chart: dict[str, Any]) -> None:
        chart["convenienceFees"] = {"card": chart["convenienceFees"]["card"]}

    app = cdk.App(
        context=context(
            convenienceFees=json.dumps({"card": {"basis_points": 250}, "ach": {}}),
            chartOfAccounts=json.dumps(_chart(card_only)),
        )
    )
    assert app_module.load_config(app).chart_of_accounts is not None


def test_a_department_without_the_platform_s_fee_code_stops_the_synth_naming_both() -> None:
    def no_adjustment(chart: dict[str, Any]) -> None:
        del chart["departments"]["utilities"]["revenue"]["ADJUSTMENT"]

    _fails_naming(r"departments\.utilities.*'ADJUSTMENT'", chartOfAccounts=json.dumps(_chart(no_adjustment)))


def test_a_method_without_a_clearing_account_stops_the_synth_naming_it() -> None:
    def no_cheque(chart: dict[str, Any]) -> None:
        del chart["clearing"]["accounts"]["cheque"]

    _fails_naming("'cheque' has no clearing account", chartOfAccounts=_chart(no_cheque))  # cdk.json's object form


def test_a_chart_that_is_not_json_is_named() -> None:
    _fails_naming("chartOfAccounts: not JSON", chartOfAccounts="{departments: utilities}")


@pytest.fixture(scope="module")
def with_chart(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(
        tmp_path_factory.mktemp("cdk.out.chart"),
        balanceSources=json.dumps({"parking": PARKING}),
        chartOfAccounts=json.dumps(DEMO_CHART_OF_ACCOUNTS),
    )


def test_every_function_gets_the_chart_as_compact_json_in_the_settings_file(with_chart: Synthesized) -> None:
    expected = json.dumps(DEMO_CHART_OF_ACCOUNTS, sort_keys=True, separators=(",", ":"))
    assert with_chart.settings_file()["CHART_OF_ACCOUNTS"] == expected
    layer = with_chart.logical_id(with_chart.stack.functions.settings_layer)
    for spec in catalog.functions_for("sandbox"):
        function = with_chart.resource(with_chart.stack.functions[spec.name])["Properties"]
        assert function["Environment"]["Variables"]["AGENCY_SETTINGS_FILE"] == catalog.SETTINGS_FILE_PATH, spec.name
        assert "CHART_OF_ACCOUNTS" not in function["Environment"]["Variables"], spec.name
        assert layer in json.dumps(function["Layers"]), spec.name


def test_without_a_chart_the_setting_is_empty(synthesized: Synthesized) -> None:
    assert synthesized.settings_file()["CHART_OF_ACCOUNTS"] == ""


def test_a_chart_of_hundreds_of_fee_codes_deploys_its_environment_within_lambdas_4_kb() -> None:
    # The chart travels in the settings file, not the environment (Lambda refuses more than 4 KB of environment).
    def many_fee_codes(chart: dict[str, Any]) -> None:
        chart["departments"]["parking"]["revenue"] |= {f"CITATION_CLASS_{n:03d}": f"45{n:02d}" for n in range(400)}

    app = cdk.App(context=context(chartOfAccounts=json.dumps(_chart(many_fee_codes))))
    app_module.build(app)
    assert app_module.environment_overflows(app.synth()) == []


def test_an_environment_over_4_kb_stops_the_synth_naming_the_function_and_variable() -> None:
    template = {"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
        "Environment": {"Variables": {"BIG": "x" * 4100, "ARN": {"Fn::GetAtt": ["M", "Arn"]}}}}}}}  # fmt: skip
    overflows = app_module.environment_overflows(SimpleNamespace(stacks=[SimpleNamespace(template=template)]))
    assert overflows == [
        "Fn: its environment would be about 4234 bytes once deployed, over Lambda's 4096; largest BIG (4103 bytes), "
        "ARN (131 bytes). A large setting belongs in the settings file (catalog.SETTINGS_FILE_VARIABLES)."
    ]


def test_an_environment_is_measured_as_deployed() -> None:
    arn = {"Fn::GetAtt": ["Machine", "Arn"]}
    url = {"Fn::Join": ["", ["https://", {"Ref": "Domain"}, ".auth.example.com"]]}
    assert catalog.value_bytes("abc") == 3 and catalog.value_bytes(arn) == catalog.ARN_BYTES
    assert catalog.value_bytes(url) == len("https://") + catalog.REF_BYTES + len(".auth.example.com")
    assert catalog.environment_overflow("f", {"K": "v" * 4094}) is None  # 1 + 4094 bytes: fits
    message = catalog.environment_overflow("f", {"K": "v" * 4095, "ARN": arn})
    assert message is not None and message.startswith("f: its environment would be about 4227 bytes")
