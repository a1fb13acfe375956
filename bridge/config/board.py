"""The escalation board's login: how long a session lasts and how many wrong tokens an address
may try before it has to wait."""

from __future__ import annotations

from limits import parse_many
from pydantic import BaseModel, ConfigDict, Field, field_validator


class BoardConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    session_hours: int = Field(default=12, ge=1, le=24 * 31)
    failed_logins: str = "10 per 15 minutes"

    @field_validator("failed_logins")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        try:
            rates = parse_many(value)
        except ValueError:
            rates = []
        if not rates or any(rate.amount < 1 for rate in rates):
            msg = f"{value!r} is not a rate (expected e.g. '10 per 15 minutes' or '5/minute')"
            raise ValueError(msg)
        return value
