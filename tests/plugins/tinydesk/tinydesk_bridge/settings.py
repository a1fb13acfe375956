"""The ``connectors.tinydesk`` section of bridge.yaml.

The bridge hands a third-party connector its section as a plain dict and checks nothing in it:
the connector validates it itself, and a wrong section stops the bridge at start with the
message raised here, each problem named by its key.
"""

from __future__ import annotations

from typing import Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, SecretStr, ValidationError, field_validator


class TinyDeskSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: AnyHttpUrl
    api_token: SecretStr
    # Read by the bridge itself: the secret of POST /webhooks/tinydesk (comma-separated during
    # a rotation), and what marks a ticket for escalation (the tag "escalation" when unset).
    webhook_secret: SecretStr | None = None
    escalation_entry: dict[str, Any] | None = None
    # TinyDesk has no custom fields: the AR's number goes on the ticket as a tag with this prefix.
    ar_tag_prefix: str = "ar-"

    @field_validator("api_token")
    @classmethod
    def _not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            msg = "is blank: set it, or BRIDGE_CONNECTORS__TINYDESK__API_TOKEN"
            raise ValueError(msg)
        return value

    @classmethod
    def read(cls, config: Any) -> TinyDeskSettings:
        """The section validated, or a ``ValueError`` naming every wrong key in it."""
        try:
            return cls.model_validate(config)
        except ValidationError as exc:
            problems = "; ".join(
                f"connectors.tinydesk.{'.'.join(map(str, error['loc']))}: "
                f"{error['msg'].removeprefix('Value error, ')}"
                for error in exc.errors()
            )
            raise ValueError(problems) from None
