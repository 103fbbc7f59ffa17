"""The customer user pool, as far as the backend changes it: which customer record a login is linked to.

``custom:customer_id`` is writable by no app client (see ``infrastructure/constructs/identity.py``); only this
admin call sets it, after the portal has checked the linking proof. The portal reads it from the next ID token.
"""

from __future__ import annotations

from arportal.adapters.aws import client
from arportal.domain.errors import DependencyError, NotFoundError

CUSTOMER_ID_ATTRIBUTE = "custom:customer_id"


class CognitoLoginDirectory:
    def __init__(self, user_pool_id: str) -> None:
        self.user_pool_id = user_pool_id

    def link_customer(self, login_subject: str, customer_id: str) -> None:
        """The pools sign in by email (``UsernameAttributes``), so a login's username is its ``sub``."""
        cognito = client("cognito-idp")
        try:
            cognito.admin_update_user_attributes(
                UserPoolId=self.user_pool_id,
                Username=login_subject,
                UserAttributes=[{"Name": CUSTOMER_ID_ATTRIBUTE, "Value": customer_id}],
            )
        except cognito.exceptions.UserNotFoundException as exc:
            raise NotFoundError("this sign-in no longer exists") from exc
        except Exception as exc:  # any other botocore failure: the link was not made, and may be retried
            raise DependencyError("the sign-in could not be updated; try again") from exc
