"""Helpdesk connector settings (Zendesk, Freshdesk) and what marks a ticket for escalation in
each, as its admin UI can express it."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import (
    AnyHttpUrl,
    SecretStr,
    field_validator,
    model_validator,
)

from bridge.config.strict import Strict, require_one

ZENDESK_API_TOKENS_END = "2027-04-30"  # Zendesk refuses every API token from this day on
ZENDESK_MINIMUM_SCOPE = "read tickets:write"
_ZENDESK_SCOPE = re.compile(r"[a-z_]+(:(read|write))?")

ZENDESK_TICKET_TYPES = ("problem", "incident", "question", "task")


class EscalationEntry(Strict):
    """What marks a ticket for escalation in the helpdesk: a ``tag``, a custom field
    (``field_id``) holding ``value``, or a ticket ``type`` (Freshdesk, whose types are the
    account's own). Exactly one is set."""

    tag: str | None = None
    field_id: int | None = None
    value: str | None = None
    type: str | None = None

    @model_validator(mode="after")
    def _one_marker(self) -> EscalationEntry:
        chosen = [self.tag is not None, self.field_id is not None, self.type is not None]
        if chosen.count(True) != 1:
            msg = "set exactly one of tag, field_id (with value) or type"
            raise ValueError(msg)
        if (self.field_id is None) != (self.value is None):
            msg = "field_id and value go together: the field, and the value that marks it"
            raise ValueError(msg)
        return self


ESCALATION_TAG = EscalationEntry(tag="escalation")
ESCALATION_TYPE = EscalationEntry(type="Escalation")


class ZendeskSettings(Strict):
    url: AnyHttpUrl
    # An OAuth client of the account (Admin Center > Apps and integrations > APIs > OAuth
    # clients, kind "confidential"); the bridge asks it for access tokens (client credentials).
    oauth_client_id: str | None = None
    oauth_client_secret: SecretStr | None = None
    scope: str = ZENDESK_MINIMUM_SCOPE
    # Deprecated: an agent's email and API token, refused by Zendesk from 2027-04-30.
    email: str | None = None
    api_token: SecretStr | None = None
    ar_field_id: int | None = None
    escalation_entry: EscalationEntry = ESCALATION_TAG
    # What the vendor signs its webhook with (several, comma-separated, during a rotation).
    webhook_secret: SecretStr | None = None

    @field_validator("escalation_entry")
    @classmethod
    def _zendesk_can_hold_it(cls, entry: EscalationEntry) -> EscalationEntry:
        if entry.type is not None:
            msg = (
                f"a Zendesk ticket's type is one of {', '.join(ZENDESK_TICKET_TYPES)}: mark "
                "escalations with a tag ({tag: escalation}) or a drop-down field "
                "({field_id: <id>, value: escalation})"
            )
            raise ValueError(msg)
        return entry

    @field_validator("scope")
    @classmethod
    def _scope_words(cls, value: str) -> str:
        words = value.split()
        if not words or not all(_ZENDESK_SCOPE.fullmatch(word) for word in words):
            msg = "space-separated Zendesk scopes, for instance 'read tickets:write'"
            raise ValueError(msg)
        return " ".join(words)

    @model_validator(mode="after")
    def _has_credentials(self) -> ZendeskSettings:
        if self.oauth_client_id is not None or self.oauth_client_secret is not None:
            if self.oauth_client_id is None or self.oauth_client_secret is None:
                msg = "oauth_client_id and oauth_client_secret are set together"
                raise ValueError(msg)
            if self.api_token is not None:
                msg = "set the OAuth client or the deprecated api_token, not both"
                raise ValueError(msg)
            return self
        require_one(self, "oauth_client_secret", "api_token")
        if not self.email:
            msg = "email is required with api_token (Zendesk's API token auth is email/token)"
            raise ValueError(msg)
        return self

    @property
    def auth(self) -> Literal["oauth", "api_token"]:
        return "api_token" if self.api_token is not None else "oauth"

    def auth_summary(self) -> str:
        """Which credentials the bridge signs in with, in words (for ``config check``)."""
        if self.auth == "oauth":
            client, scope = self.oauth_client_id, self.scope
            return f"OAuth client {client!r} (client credentials, scope {scope!r})"
        return (
            f"API token of {self.email} (deprecated: Zendesk refuses API tokens from "
            f"{ZENDESK_API_TOKENS_END}; set oauth_client_id and oauth_client_secret instead)"
        )


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
