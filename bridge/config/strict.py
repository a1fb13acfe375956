"""The base of every connector's settings: unknown keys refused (a typo is an error, not a
silently ignored line), values frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def require_one(model: BaseModel, *names: str) -> None:
    if not any(getattr(model, name) is not None for name in names):
        msg = f"missing secret: set one of {', '.join(names)}"
        raise ValueError(msg)
