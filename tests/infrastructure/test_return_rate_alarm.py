"""The ACH return-rate monitor's alarm: the metric the bank application writes when a return leaves a rate at 80 %
of its NACHA limit or past it (``adapters/return_rate_metrics.py``) raises an alarm on the stack's topic."""

from __future__ import annotations

import json

import pytest

from tests.infrastructure.synth import Synthesized

pytestmark = pytest.mark.xdist_group("cdk")


def test_a_return_rate_warning_raises_an_alarm_on_the_metric_the_application_writes(
    synthesized: Synthesized, capsys: pytest.CaptureFixture[str]
):
    from arportal.adapters.return_rate_metrics import PowertoolsReturnRateAlerts

    PowertoolsReturnRateAlerts().warning("unauthorized", 0.45)
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines() if "CloudWatchMetrics" in x]
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    (metric,) = directive["Metrics"]
    assert metric["Name"] == "AchReturnRateWarning" and directive["Dimensions"] in ([[]], [])
    assert line["category"] == "unauthorized" and line["AchReturnRateWarning"] in (1, [1.0])
    (alarm,) = [
        a["Properties"]
        for a in synthesized.of_type("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Namespace") == directive["Namespace"]
        and a["Properties"].get("MetricName") == metric["Name"]
    ]
    assert "Dimensions" not in alarm
    assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
        "Sum", 1, "GreaterThanOrEqualToThreshold"
    )  # fmt: skip
    assert alarm["AlarmActions"] == [{"Ref": synthesized.logical_id(synthesized.stack.observability.topic)}]
