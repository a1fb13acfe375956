from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bridge.config.board import BoardConfig
from bridge.config.connectors import WEBHOOK_SECRET, ConnectorsConfig, ConnectorsFromEnv
from bridge.config.installed import installed_names
from bridge.config.policy import (
    CalendarConfig,
    DeliveryTargets,
    DigestConfig,
    LevelConfig,
    RolesConfig,
    RoutingConfig,
    SlaConfig,
    _seed_levels,
    seed_calendars,
)
from bridge.config.rates import checked_rate
from bridge.config.resolution import ClosureConfig, ResolutionConfig

SUPPORTED_DATABASES = ("sqlite", "postgresql")


class WebhooksConfig(BaseModel):
    """How the receivers judge a delivery beyond its signature."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # A signed timestamp further than this from the bridge's clock is a replay (Zendesk signs
    # one with every delivery; Slack keeps its own five minutes).
    signature_window_seconds: int = Field(default=300, ge=30, le=86_400)


class CatchUpConfig(BaseModel):
    """How often the bridge asks the vendors what it missed (it also asks at every start)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Off for a bridge whose credentials may not read the vendors' history; webhooks missed
    # while it was down are then lost.
    enabled: bool = True
    every_minutes: int = Field(default=15, ge=1, le=1_440)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BRIDGE_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    # -- set from the environment -------------------------------------------------------------
    data_dir: Path = Path("var")
    database_url: str | None = None
    redis_url: SecretStr | None = None
    config: Path | None = None
    public_url: str = "http://127.0.0.1:8080"
    secret_key: SecretStr | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["json", "console"] = "json"
    consumer_threads: int = Field(default=2, ge=1, le=64)
    sandbox: Literal["auto", "off"] = "auto"

    # The older spelling of connectors.<key>.webhook_secret, read when that is unset; the
    # generic intake has no connector, so its secret is only here.
    github_webhook_secret: SecretStr | None = None
    jira_webhook_secret: SecretStr | None = None
    zendesk_webhook_secret: SecretStr | None = None
    freshdesk_webhook_secret: SecretStr | None = None
    intake_webhook_secret: SecretStr | None = None
    api_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None

    # -- set from the YAML file (or nested env vars) --------------------------------------------
    connectors: ConnectorsConfig = ConnectorsConfig()
    calendars: dict[str, CalendarConfig] = Field(default_factory=seed_calendars)
    sla: SlaConfig = SlaConfig()
    levels: dict[int, LevelConfig] = Field(default_factory=_seed_levels)
    routing: RoutingConfig = RoutingConfig()
    roles: RolesConfig = RolesConfig()
    delivery_targets: DeliveryTargets = DeliveryTargets()
    closure: ClosureConfig = ClosureConfig()
    digest: DigestConfig = DigestConfig()
    resolution: ResolutionConfig = ResolutionConfig()
    board: BoardConfig = BoardConfig()
    field_mappings: dict[str, dict[str, str]] = Field(default_factory=dict)
    contacts: dict[str, list[str]] = Field(default_factory=dict)
    webhooks: WebhooksConfig = WebhooksConfig()
    catch_up: CatchUpConfig = CatchUpConfig()
    # Budget name ("zendesk:requests") to a `limits` rate ("400/minute"; several separated by
    # ";"), over the connectors' own: a smaller Zendesk plan, a Jira Data Center's own limit.
    rate_limits: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The YAML document is passed in by the loader as init values of lower priority than env;
        # the environment reads each connector's section as its settings model types it.
        return ConnectorsFromEnv(settings_cls), init_settings

    @field_validator("rate_limits")
    @classmethod
    def _rate_limits(cls, value: dict[str, str]) -> dict[str, str]:
        for budget, rate in value.items():
            if ":" not in budget:
                msg = f"{budget!r} is not a budget name (expected e.g. 'zendesk:requests')"
                raise ValueError(msg)
            checked_rate(rate)
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            url = make_url(value)
        except ArgumentError:
            msg = "not a database URL (expected sqlite:///path or postgresql+psycopg://...)"
            raise ValueError(msg) from None
        backend = url.get_backend_name()
        if backend not in SUPPORTED_DATABASES:
            msg = f"unsupported database {backend!r} (use sqlite or postgresql)"
            raise ValueError(msg)
        if backend == "postgresql" and url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        elif backend == "postgresql" and url.get_driver_name() != "psycopg":
            msg = f"driver {url.get_driver_name()!r} is not installed; use postgresql+psycopg://"
            raise ValueError(msg)
        return url.render_as_string(hide_password=False)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("redis://", "rediss://", "unix://")
        ):
            msg = "not a Redis URL (expected redis://host:6379/0)"
            raise ValueError(msg)
        return value

    @field_validator("sla")
    @classmethod
    def _calendar_exists(cls, value: SlaConfig, info: ValidationInfo) -> SlaConfig:
        calendars = info.data.get("calendars")
        if calendars is not None and value.default_calendar not in calendars:
            msg = (
                f"default_calendar names {value.default_calendar!r}, "
                f"which is not one of calendars ({', '.join(sorted(calendars))})"
            )
            raise ValueError(msg)
        return value

    @field_validator("digest")
    @classmethod
    def _digest_calendar(cls, value: DigestConfig, info: ValidationInfo) -> DigestConfig:
        calendars = info.data.get("calendars")
        if value.calendar is not None and calendars is not None and value.calendar not in calendars:
            msg = (
                f"calendar names {value.calendar!r}, "
                f"which is not one of calendars ({', '.join(sorted(calendars))})"
            )
            raise ValueError(msg)
        return value

    @field_validator("levels")
    @classmethod
    def _three_levels(cls, value: dict[int, LevelConfig]) -> dict[int, LevelConfig]:
        if sorted(value) != [1, 2, 3]:
            msg = f"must define exactly levels 1, 2 and 3, got {sorted(value)}"
            raise ValueError(msg)
        return value

    # -- derived values -------------------------------------------------------------------------
    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'bridge.db').as_posix()}"

    @property
    def distributed(self) -> bool:
        return self.redis_url is not None

    def webhook_secrets(self, source: str) -> list[bytes]:
        """Every active secret for one webhook source; several during a rotation."""
        secret = self._connector_webhook_secret(source) or self._top_level_secret(source)
        if secret is None:
            return []
        parts = (part.strip() for part in secret.split(","))
        return [part.encode() for part in parts if part]

    def webhook_secret_setting(self, source: str) -> str:
        """The variable that sets ``source``'s secret, as named to whoever left it unset."""
        if source == "slack":
            return "BRIDGE_SLACK_SIGNING_SECRET"
        if self._connector_webhook_secret(source) is None and _old_field(source):
            return f"BRIDGE_{_old_field(source).upper()}"
        return f"BRIDGE_CONNECTORS__{source.upper()}__WEBHOOK_SECRET"

    def older_spellings(self) -> list[str]:
        """A warning for each webhook secret set by its older top-level name."""
        return [
            f"BRIDGE_{field.upper()} is the older spelling of connectors.{source}.webhook_secret "
            f"(BRIDGE_CONNECTORS__{source.upper()}__WEBHOOK_SECRET); it keeps working"
            for source in installed_names()
            if (field := _old_field(source)) and getattr(self, field) is not None
        ]

    def _connector_webhook_secret(self, source: str) -> str | None:
        """``connectors.<source>.webhook_secret``: a field of its settings model, or a key of
        the settings of a connector without one."""
        section = self.connectors.section(source)
        if isinstance(section, dict):
            secret = section.get(WEBHOOK_SECRET)
        else:
            secret = getattr(section, WEBHOOK_SECRET, None)
        if isinstance(secret, SecretStr):
            return secret.get_secret_value()
        return secret if isinstance(secret, str) else None

    def _top_level_secret(self, source: str) -> str | None:
        field = "slack_signing_secret" if source == "slack" else _old_field(source)
        secret: SecretStr | None = getattr(self, field) if field else None
        return secret.get_secret_value() if secret is not None else None


def _old_field(source: str) -> str:
    """The top-level field of ``source``'s webhook secret, or "" when it has none."""
    field = f"{source}_webhook_secret"
    return field if field in Settings.model_fields else ""
