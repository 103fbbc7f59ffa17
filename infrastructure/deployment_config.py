"""The deployment configuration of one agency's stack, validated at synth (and by the local runtime).

Set through ``cdk.json`` context (``-c agency=...`` on the command line overrides a value):
``agency``, ``stage``, ``currency``, ``processor``, ``approvalThresholdMinor``, ``senderEmail``,
``logoUrl``, ``staffMfa``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,30}$")]


class DeploymentConfigError(ValueError):
    """A context value is missing or wrong; the message names the key and the reason."""


class DeploymentConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    agency: Slug = Field(description="Short name used in resource names, e.g. 'springfield'")
    agency_name: str = Field(alias="agencyName", min_length=1, max_length=120)
    stage: Slug = "dev"
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "USD"
    processor: Literal["sandbox", "stripe"] = "sandbox"
    approval_threshold_minor: int = Field(default=50_000, alias="approvalThresholdMinor", ge=0)
    sender_email: str = Field(alias="senderEmail", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    logo_url: str | None = Field(default=None, alias="logoUrl")
    staff_mfa: bool = Field(default=True, alias="staffMfa", description="Require MFA for staff (deployed)")
    region: str | None = None
    account: Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")] | None = None

    @property
    def stack_name(self) -> str:
        return f"ArPortal-{self.agency}-{self.stage}"


CONTEXT_KEYS = tuple(field.alias or name for name, field in DeploymentConfig.model_fields.items())


def load(context: Mapping[str, Any]) -> DeploymentConfig:
    """Build the config from CDK context values (strings from ``-c`` are coerced)."""
    values = {key: context[key] for key in CONTEXT_KEYS if context.get(key) is not None}
    for key in ("approvalThresholdMinor",):
        if isinstance(values.get(key), str) and re.fullmatch(r"[0-9]+", values[key]):
            values[key] = int(values[key])
    if isinstance(values.get("staffMfa"), str):
        values["staffMfa"] = values["staffMfa"].lower() in {"1", "true", "yes"}
    try:
        return DeploymentConfig.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'context'}: {err['msg']}" for err in exc.errors()
        )
        raise DeploymentConfigError(f"invalid deployment configuration: {problems}") from exc
