"""The connected systems of a deployment, as ``BALANCE_SOURCES`` carries them (validated at synth as well)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from arportal.domain.errors import DependencyError


class BalanceSourceSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = Field(min_length=1, max_length=80)
    base_url: str = Field(pattern=r"^https?://[^\s?#]+$")
    secret_name: str | None = None
    timeout_ms: int = Field(default=2000, ge=100, le=10_000)


def sources(raw: Mapping[str, Mapping[str, object]]) -> dict[str, BalanceSourceSpec]:
    """Department -> its connected system; ``DependencyError`` (503) if the deployment's value is unusable."""
    try:
        return {department: BalanceSourceSpec.model_validate(dict(spec)) for department, spec in raw.items()}
    except ValidationError as exc:
        raise DependencyError("the balance sources of this deployment are misconfigured") from exc
