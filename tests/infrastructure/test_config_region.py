"""The services a region is checked for are the services the synthesized stack uses (issue 17)."""

from __future__ import annotations

import pytest

from infrastructure import config_values
from tests.infrastructure.synth import Synthesized

pytestmark = pytest.mark.xdist_group("cdk")


def test_every_resource_type_of_the_stack_is_in_a_checked_or_global_service(synthesized: Synthesized) -> None:
    namespaces = {
        resource["Type"].split("::")[1]
        for resource in synthesized.resources.values()
        if resource["Type"].startswith("AWS::")
    }
    unchecked = namespaces - set(config_values.SERVICE_OF_NAMESPACE) - config_values.GLOBAL_NAMESPACES
    # A new namespace: add it to SERVICE_OF_NAMESPACE (its botocore service name), or to GLOBAL_NAMESPACES
    assert unchecked == set()
    assert {"Lambda", "DynamoDB", "StepFunctions", "Pipes", "Scheduler", "Cognito"} <= namespaces
    for namespace in namespaces - config_values.GLOBAL_NAMESPACES:
        assert config_values.SERVICE_OF_NAMESPACE[namespace] in config_values.REGIONAL_SERVICES
