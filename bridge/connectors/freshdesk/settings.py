"""Freshdesk's settings, ``connectors.freshdesk`` in bridge.yaml: the account, its API key, and
what marks a ticket for escalation (a ticket type of the account's own, by default)."""

from __future__ import annotations

from pydantic import AnyHttpUrl, SecretStr, field_validator

from bridge.config.helpdesks import EscalationEntry
from bridge.config.strict import Strict

ESCALATION_TYPE = EscalationEntry(type="Escalation")


class FreshdeskSettings(Strict):
    url: AnyHttpUrl
    api_key: SecretStr
    ar_field_name: str | None = None
    escalation_entry: EscalationEntry = ESCALATION_TYPE
    # What the vendor signs its webhook with (several, comma-separated, during a rotation).
    webhook_secret: SecretStr | None = None

    @field_validator("escalation_entry")
    @classmethod
    def _freshdesk_can_send_it(cls, entry: EscalationEntry) -> EscalationEntry:
        if entry.field_id is not None:
            msg = "mark Freshdesk escalations with a ticket type ({type: Escalation}) or a tag"
            raise ValueError(msg)
        return entry
