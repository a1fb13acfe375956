"""The escalation board's login: how long a session lasts and how many wrong tokens an address
may try before it has to wait."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bridge.config.rates import checked_rate


class BoardConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    session_hours: int = Field(default=12, ge=1, le=24 * 31)
    failed_logins: str = "10 per 15 minutes"

    @field_validator("failed_logins")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        return checked_rate(value)
