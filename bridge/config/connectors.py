"""Connector settings. Secrets are ``SecretStr``: never printed, never logged.

Set them in the YAML file or, better, from the environment with nested names such as
``BRIDGE_CONNECTORS__JIRA__API_TOKEN``.
"""

from __future__ import annotations

import datetime as dt
import re
from difflib import get_close_matches
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

BUILTIN_CONNECTORS = ("jira", "github", "slack", "zendesk", "freshdesk", "email")
ENTRY_POINT_GROUP = "support_bridge.connectors"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _require_one(model: BaseModel, *names: str) -> None:
    if not any(getattr(model, name) is not None for name in names):
        msg = f"missing secret: set one of {', '.join(names)}"
        raise ValueError(msg)


class JiraSettings(_Strict):
    url: AnyHttpUrl
    deployment: Literal["cloud", "datacenter"] = "cloud"
    email: str | None = None
    api_token: SecretStr | None = None
    personal_access_token: SecretStr | None = None
    # The day the token stops working, as set when it was created: doctor, /metrics and the
    # board warn 14 days before (Atlassian's API tokens expire within a year).
    token_expires: dt.date | None = None
    # Jira Cloud with an Atlassian scoped API token: Atlassian accepts one only through its
    # gateway, {gateway_url}/ex/jira/{cloud_id}; the cloud id is read from the site's
    # /_edge/tenant_info when not set.
    scoped_token: bool = False
    cloud_id: str | None = Field(default=None, pattern=r"^[0-9a-fA-F-]{36}$")
    gateway_url: AnyHttpUrl = AnyHttpUrl("https://api.atlassian.com")
    support_project: str = "SUP"
    spar_issue_type: str = "SPAR"
    development_project: str = "DEV"
    ar_issue_type: str = "Bug"
    link_type: str = "Relates"
    description_format: Literal["wiki", "adf"] = "wiki"
    labels: list[str] = Field(default_factory=lambda: ["support-bridge"])

    @model_validator(mode="after")
    def _has_credentials(self) -> JiraSettings:
        _require_one(self, "api_token", "personal_access_token")
        if self.api_token is not None and not self.email:
            msg = "email is required with api_token (Jira Cloud basic auth is email + token)"
            raise ValueError(msg)
        if self.scoped_token and (self.deployment != "cloud" or self.api_token is None):
            msg = "scoped_token is for Jira Cloud with email + api_token (a scoped API token)"
            raise ValueError(msg)
        if self.deployment == "datacenter" and self.description_format == "adf":
            msg = "Jira Data Center has REST v2 only: set description_format: wiki"
            raise ValueError(msg)
        return self


class GitHubSettings(_Strict):
    base_url: AnyHttpUrl = AnyHttpUrl("https://api.github.com")
    repository: str = Field(pattern=r"^[\w.-]+/[\w.-]+$")
    token: SecretStr | None = None  # a personal access token; or a GitHub App:
    app_id: int | None = None
    installation_id: int | None = None
    private_key: SecretStr | None = None  # the App's PEM key, or its path in private_key_file
    private_key_file: Path | None = None
    labels: list[str] = Field(default_factory=lambda: ["bug", "spar"])
    # The repository webhook that delivers to the bridge (its id in the hook's settings URL):
    # catch-up then has GitHub redeliver what failed while the bridge was down.
    hook_id: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _has_credentials(self) -> GitHubSettings:
        if self.app_id is not None:
            _require_one(self, "private_key", "private_key_file")
            if self.installation_id is None:
                msg = "installation_id is required with app_id"
                raise ValueError(msg)
            if self.private_key_file is not None and not self.private_key_file.is_file():
                msg = f"private_key_file {self.private_key_file} is not a readable file"
                raise ValueError(msg)
            return self
        _require_one(self, "token", "private_key")
        return self

    @property
    def as_app(self) -> bool:
        return self.app_id is not None

    def app_private_key(self) -> str:
        """The App's PEM private key, from the setting or the file it names."""
        if self.private_key is not None:
            return self.private_key.get_secret_value()
        if self.private_key_file is not None:
            return self.private_key_file.read_text()
        return ""


class SlackSettings(_Strict):
    base_url: AnyHttpUrl = AnyHttpUrl("https://slack.com/api/")
    bot_token: SecretStr
    # The workspace (T…) and Enterprise Grid org (E…) whose requests are acted on; any other's
    # are refused. Unset: every workspace the app is installed in (warned at start).
    team_id: str | None = None
    enterprise_id: str | None = None
    # Socket Mode: Slack sends the command, buttons and forms over a WebSocket the bridge opens
    # (no public URL for Slack, no signing secret); it needs the app-level token (xapp-…,
    # scope connections:write), from BRIDGE_CONNECTORS__SLACK__APP_TOKEN.
    socket_mode: bool = False
    app_token: SecretStr | None = None

    @model_validator(mode="after")
    def _socket_mode_has_app_token(self) -> SlackSettings:
        token = self.app_token.get_secret_value().strip() if self.app_token else ""
        if self.socket_mode and not token:
            msg = (
                "socket_mode is on but app_token is not set: set "
                "BRIDGE_CONNECTORS__SLACK__APP_TOKEN to the app-level token (xapp-…) from the "
                "Slack app's Basic Information → App-Level Tokens (scope connections:write)"
            )
            raise ValueError(msg)
        if token and not token.startswith("xapp-"):
            msg = "app_token is not an app-level token (those start with xapp-; see docs/slack.md)"
            raise ValueError(msg)
        return self

    @field_validator("team_id", "enterprise_id")
    @classmethod
    def _slack_id(cls, value: str | None, info: ValidationInfo) -> str | None:
        first = "T" if info.field_name == "team_id" else "E"
        if value is not None and not re.fullmatch(first + r"[A-Z0-9]{2,30}", value):
            msg = f"not a Slack {info.field_name} (for instance {first}0123ABCD)"
            raise ValueError(msg)
        return value


ZENDESK_API_TOKENS_END = "2027-04-30"  # Zendesk refuses every API token from this day on
ZENDESK_MINIMUM_SCOPE = "read tickets:write"
_ZENDESK_SCOPE = re.compile(r"[a-z_]+(:(read|write))?")

ZENDESK_TICKET_TYPES = ("problem", "incident", "question", "task")


class EscalationEntry(_Strict):
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


class ZendeskSettings(_Strict):
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
        _require_one(self, "oauth_client_secret", "api_token")
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


class FreshdeskSettings(_Strict):
    url: AnyHttpUrl
    api_key: SecretStr
    ar_field_name: str | None = None
    escalation_entry: EscalationEntry = ESCALATION_TYPE

    @field_validator("escalation_entry")
    @classmethod
    def _freshdesk_can_send_it(cls, entry: EscalationEntry) -> EscalationEntry:
        if entry.field_id is not None:
            msg = "mark Freshdesk escalations with a ticket type ({type: Escalation}) or a tag"
            raise ValueError(msg)
        return entry


class EmailSettings(_Strict):
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str


class ConnectorsConfig(BaseModel):
    """Built-in connectors are validated here; third-party ones (found through the
    ``support_bridge.connectors`` entry points) keep their raw settings for their own checks."""

    model_config = ConfigDict(extra="allow", frozen=True)

    jira: JiraSettings | None = None
    github: GitHubSettings | None = None
    slack: SlackSettings | None = None
    zendesk: ZendeskSettings | None = None
    freshdesk: FreshdeskSettings | None = None
    email: EmailSettings | None = None

    @model_validator(mode="before")
    @classmethod
    def _known_names(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        known = set(BUILTIN_CONNECTORS) | installed_connector_names()
        unknown = sorted(name for name in data if name not in known)
        if unknown:
            close = get_close_matches(unknown[0], sorted(known), n=1)
            meant = f"did you mean {close[0]!r}? " if close else ""
            msg = (
                f"unknown connector {unknown[0]!r}: {meant}"
                f"(known: {', '.join(sorted(known))}; third-party connectors register the "
                f"entry-point group {ENTRY_POINT_GROUP!r})"
            )
            raise ValueError(msg)
        for name, body in data.items():
            blank = _blank_secret(name, body)
            if blank:
                variable = f"BRIDGE_CONNECTORS__{name.upper()}__{blank.upper()}"
                msg = (
                    f'{name}.{blank} is blank (""): set it, here or with {variable}, '
                    "or remove the key"
                )
                raise ValueError(msg)
        return data

    def configured(self) -> list[str]:
        names = [name for name in BUILTIN_CONNECTORS if getattr(self, name) is not None]
        return names + sorted((self.model_extra or {}).keys())

    def escalation_entry(self, helpdesk: str) -> EscalationEntry:
        """What marks a ticket of ``helpdesk`` for escalation; a helpdesk without a connector
        (webhooks only, the generic intake) uses the default: Freshdesk's ticket type
        Escalation, the tag ``escalation`` elsewhere."""
        if helpdesk == "zendesk" and self.zendesk is not None:
            return self.zendesk.escalation_entry
        if helpdesk == "freshdesk":
            return self.freshdesk.escalation_entry if self.freshdesk else ESCALATION_TYPE
        return ESCALATION_TAG


def _blank_secret(connector: str, body: Any) -> str | None:
    """The first secret of a built-in connector's settings given as an empty string."""
    model = ConnectorsConfig.model_fields.get(connector)
    if model is None or not isinstance(body, dict):
        return None
    settings = next(arg for arg in get_args(model.annotation) if arg is not type(None))
    for key, value in body.items():
        field = settings.model_fields.get(key)
        secret = field is not None and SecretStr in (field.annotation, *get_args(field.annotation))
        if secret and isinstance(value, str) and not value.strip():
            return str(key)
    return None


def installed_connector_names() -> set[str]:
    return {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
