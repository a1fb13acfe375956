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
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bridge.config.helpdesks import (
    ESCALATION_TAG,
    EscalationEntry,
    FreshdeskSettings,
    ZendeskSettings,
)
from bridge.config.installed import ENTRY_POINT_GROUP
from bridge.config.strict import Strict, require_one

BUILTIN_CONNECTORS = ("jira", "github", "slack", "zendesk", "freshdesk", "email")
# The key of every connector's settings that holds its webhook's secret(s).
WEBHOOK_SECRET = "webhook_secret"  # noqa: S105 - a key's name


class JiraSettings(Strict):
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
    # What the vendor signs its webhook with (several, comma-separated, during a rotation).
    webhook_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _has_credentials(self) -> JiraSettings:
        require_one(self, "api_token", "personal_access_token")
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


class GitHubSettings(Strict):
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
    # What the vendor signs its webhook with (several, comma-separated, during a rotation).
    webhook_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _has_credentials(self) -> GitHubSettings:
        if self.app_id is not None:
            require_one(self, "private_key", "private_key_file")
            if self.installation_id is None:
                msg = "installation_id is required with app_id"
                raise ValueError(msg)
            if self.private_key_file is not None and not self.private_key_file.is_file():
                msg = f"private_key_file {self.private_key_file} is not a readable file"
                raise ValueError(msg)
            return self
        require_one(self, "token", "private_key")
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


class SlackSettings(Strict):
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


class EmailSettings(Strict):
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
            if name not in cls.model_fields and isinstance(body, dict):
                _entry_of(name, body)  # refused at load, not at the first delivery
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

    def section(self, name: str) -> Any:
        """Connector ``name``'s settings: a built-in's model, a third-party's dict; None when
        it is not configured."""
        if name in type(self).model_fields:
            return getattr(self, name)
        return (self.model_extra or {}).get(name)

    def escalation_entry(self, helpdesk: str) -> EscalationEntry:
        """What marks a ticket of ``helpdesk`` for escalation: its settings'
        ``escalation_entry`` (a third-party helpdesk's section may set one too). A built-in
        helpdesk without a connector (webhooks only) uses its settings' default (Freshdesk's
        ticket type Escalation); any other, the generic intake included, the tag
        ``escalation``."""
        section = self.section(helpdesk)
        if isinstance(section, dict):
            return _entry_of(helpdesk, section) or ESCALATION_TAG
        entry = getattr(section, "escalation_entry", None)
        if isinstance(entry, EscalationEntry):
            return entry
        model = _settings_model(helpdesk)
        field = model.model_fields.get("escalation_entry") if model is not None else None
        default = field.default if field is not None else None
        return default if isinstance(default, EscalationEntry) else ESCALATION_TAG


def _settings_model(connector: str) -> type[BaseModel] | None:
    """The settings model of a built-in connector; None for a third-party one."""
    field = ConnectorsConfig.model_fields.get(connector)
    if field is None:
        return None
    model: type[BaseModel] = next(
        arg for arg in get_args(field.annotation) if arg is not type(None)
    )
    return model


def _entry_of(connector: str, section: dict[str, Any]) -> EscalationEntry | None:
    """A third-party helpdesk's ``escalation_entry``, read as a built-in's is."""
    raw = section.get("escalation_entry")
    if raw is None:
        return None
    try:
        return EscalationEntry.model_validate(raw)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        msg = f"{connector}.escalation_entry: {reason}"
        raise ValueError(msg) from None


def _blank_secret(connector: str, body: Any) -> str | None:
    """The first secret of a connector's settings given as an empty string: a built-in's
    secrets, a third-party connector's ``webhook_secret``."""
    if not isinstance(body, dict):
        return None
    settings = _settings_model(connector)
    if settings is None:
        secret = body.get(WEBHOOK_SECRET)
        return WEBHOOK_SECRET if isinstance(secret, str) and not secret.strip() else None
    for key, value in body.items():
        field = settings.model_fields.get(key)
        secret = field is not None and SecretStr in (field.annotation, *get_args(field.annotation))
        if secret and isinstance(value, str) and not value.strip():
            return str(key)
    return None


def installed_connector_names() -> set[str]:
    return {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
