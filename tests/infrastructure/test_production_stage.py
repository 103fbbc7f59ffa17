"""A production-like stage: books of record are protected, and the variant choices stay nag-clean.

A second synthesis (stage prod, Stripe, staff MFA off, a logo URL) in its own xdist group, so that under
``pytest -n 2 --dist loadgroup`` it runs beside the main one instead of after it.
"""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

from arportal.adapters.dynamodb import tables
from infrastructure.stack import PROCESSOR_FUNCTIONS, PROCESSOR_SECRET_VARIABLE
from tests.infrastructure.synth import Synthesized, synthesize

pytestmark = pytest.mark.xdist_group("cdk-prod")

LOGO = "https://www.springfield.example.gov/assets/seal.png"


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(
        tmp_path_factory.mktemp("cdk.out.prod"),
        stage="prod",
        processor="stripe",
        processorSecretName="arportal/springfield/stripe",
        staffMfa="false",
        logoUrl=LOGO,
        region="eu-west-1",
    )


def test_production_variant_is_nag_clean(production: Synthesized) -> None:
    pattern = Match.string_like_regexp("AwsSolutions-.*")
    assert production.annotations.find_error("*", pattern) == []
    assert production.annotations.find_warning("*", pattern) == []


def test_books_of_record_are_protected(production: Synthesized) -> None:
    data = production.stack.data
    for spec in (tables.LEDGER, tables.AUDIT):
        table = production.resource(data.tables[spec.logical_id])
        assert table["Properties"]["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"
    for pool in (production.stack.identity.customer_pool, production.stack.identity.staff_pool):
        assert production.resource(pool)["Properties"]["DeletionProtection"] == "ACTIVE"


def test_audit_exports_are_locked_in_compliance_mode(production: Synthesized) -> None:
    properties = production.resource(production.stack.data.audit_bucket)["Properties"]
    retention = properties["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention["Mode"] == "COMPLIANCE"
    assert retention["Days"] >= 7 * 365


def test_staff_mfa_can_be_made_optional(production: Synthesized) -> None:
    staff = production.resource(production.stack.identity.staff_pool)["Properties"]
    assert staff["MfaConfiguration"] == "OPTIONAL"


def test_stripe_gets_its_frames_and_a_secret(production: Synthesized) -> None:
    (policy,) = production.of_type("AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = json.dumps(policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"])
    assert "https://js.stripe.com" in csp and "https://api.stripe.com" in csp
    assert "https://www.springfield.example.gov" in csp  # the logo's origin, not the whole URL
    assert production.stack.processor_secret is not None
    # the agency's own secret, named by processorSecretName (made before the deploy): its partial ARN
    for name, fn in production.stack.functions.functions.items():
        variables = production.resource(fn)["Properties"]["Environment"]["Variables"]
        if name in PROCESSOR_FUNCTIONS:  # the functions that charge, refund, verify webhooks or look charges up
            assert ":secret:arportal/springfield/stripe" in json.dumps(variables[PROCESSOR_SECRET_VARIABLE])
        else:  # least privilege: no one else is told where the keys are
            assert variables.get(PROCESSOR_SECRET_VARIABLE, "") == ""
