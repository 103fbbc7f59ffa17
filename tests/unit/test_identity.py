from http import HTTPStatus

import pytest

from arportal.api.errors import ApiError
from arportal.api.identity import caller_from_claims, require_customer, require_staff
from arportal.config import RuntimeSettings
from arportal.domain.identity import Audience
from arportal.domain.permissions import Permission, Role

SETTINGS = RuntimeSettings.model_validate(
    {
        "LEDGER_TABLE": "l",
        "AUDIT_TABLE": "a",
        "IDEMPOTENCY_TABLE": "i",
        "DOCUMENTS_BUCKET": "d",
        "AUDIT_BUCKET": "ab",
        "EVENT_BUS": "b",
        "AGENCY_NAME": "City",
        "AGENCY_CURRENCY": "USD",
        "PROCESSOR": "sandbox",
        "CUSTOMER_POOL_ID": "us-east-1_Cust",
        "STAFF_POOL_ID": "us-east-1_Staff",
        "APPROVAL_THRESHOLD_MINOR": "50000",
        "SENDER_EMAIL": "p@city.gov",
    }
)
ISS = "https://cognito-idp.us-east-1.amazonaws.com/"


def test_customer_claims_give_a_customer_bound_to_the_token_customer_id():
    caller = caller_from_claims(
        {"sub": "s1", "iss": ISS + "us-east-1_Cust", "custom:customer_id": "CUS-000001", "email": "a@b.org"}, SETTINGS
    )
    assert caller.audience is Audience.CUSTOMER
    assert require_customer(caller) == "CUS-000001"


@pytest.mark.parametrize("groups", ["supervisor,agent", "[supervisor agent]", '["supervisor","agent"]', ["supervisor"]])
def test_staff_groups_in_every_shape_api_gateway_sends(groups):
    caller = caller_from_claims({"sub": "s2", "iss": ISS + "us-east-1_Staff", "cognito:groups": groups}, SETTINGS)
    assert Role.SUPERVISOR in caller.roles
    assert require_staff(caller, Permission.APPROVALS_DECIDE) is caller


def test_missing_or_foreign_tokens_are_401():
    for claims in (None, {}, {"sub": "x", "iss": ISS + "us-east-1_Other"}):
        with pytest.raises(ApiError) as err:
            caller_from_claims(claims, SETTINGS)
        assert err.value.status is HTTPStatus.UNAUTHORIZED


def test_wrong_audience_or_missing_permission_is_403():
    customer = caller_from_claims({"sub": "s1", "iss": ISS + "us-east-1_Cust"}, SETTINGS)
    agent = caller_from_claims({"sub": "s2", "iss": ISS + "us-east-1_Staff", "cognito:groups": "agent"}, SETTINGS)
    with pytest.raises(ApiError) as err:
        require_staff(customer, Permission.CUSTOMERS_READ)
    assert err.value.status is HTTPStatus.FORBIDDEN
    with pytest.raises(ApiError) as err:
        require_customer(agent)
    assert err.value.status is HTTPStatus.FORBIDDEN
    with pytest.raises(ApiError) as err:
        require_staff(agent, Permission.APPROVALS_DECIDE)
    assert err.value.status is HTTPStatus.FORBIDDEN
    with pytest.raises(ApiError) as err:  # a customer login not yet linked to a record
        require_customer(customer)
    assert err.value.code == "account_not_linked"
