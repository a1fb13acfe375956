"""Email's settings, ``connectors.email`` in bridge.yaml: the SMTP server and the sender."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from bridge.config.strict import Strict


class EmailSettings(Strict):
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str
