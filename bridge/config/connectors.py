"""Connector settings, ``connectors.<name>`` in bridge.yaml. Each installed connector declares
the model its section is validated with (``settings_model`` on its class, in its own package);
a connector that declares none is given its section as written, for its own checks. Secrets
are ``SecretStr``: never printed, never logged.

Set them in the YAML file or, better, from the environment with nested names such as
``BRIDGE_CONNECTORS__<NAME>__API_TOKEN``.
"""

from __future__ import annotations

import functools
from difflib import get_close_matches
from typing import Any, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    SecretStr,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import EnvSettingsSource

from bridge.config.helpdesks import ESCALATION_TAG, EscalationEntry
from bridge.config.installed import ENTRY_POINT_GROUP, installed_names, settings_model_of

# The key of every connector's settings that holds its webhook's secret(s).
WEBHOOK_SECRET = "webhook_secret"  # noqa: S105 - a key's name


class ConnectorsConfig(BaseModel):
    """The configured connectors' settings by name: each validated by its installed
    connector's ``settings_model`` (that model's instance), else kept as written (a dict).
    ``connectors.<name>`` is None for an installed connector left unconfigured."""

    model_config = ConfigDict(extra="allow", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _sections(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        _known_names(data)
        models = {name: settings_model_of(name) for name in data}
        _no_blank_secret(data, models)
        return _validated(data, models)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)  # type: ignore[misc]  # pydantic's, for extras
        except AttributeError:
            if not name.startswith("_") and name in installed_names():
                return None
            raise

    @classmethod
    def section_models(cls) -> dict[str, type[BaseModel]]:
        """Every installed connector's settings model, by name: where the hints on a
        mistyped key look for the key meant."""
        found = {name: settings_model_of(name) for name in installed_names()}
        return {name: model for name, model in found.items() if model is not None}

    def configured(self) -> list[str]:
        """The names of the configured connectors, sorted."""
        return sorted(self.model_extra or {})

    def section(self, name: str) -> Any:
        """Connector ``name``'s settings: its model's instance, or the dict written for a
        connector without one; None when it is not configured."""
        return (self.model_extra or {}).get(name)

    def escalation_entry(self, helpdesk: str) -> EscalationEntry:
        """What marks a ticket of ``helpdesk`` for escalation: its settings'
        ``escalation_entry`` (a section kept as written may set one too). A helpdesk
        without a connector (webhooks only) uses its settings model's default (Freshdesk's
        ticket type Escalation); any other, the generic intake included, the tag
        ``escalation``."""
        section = self.section(helpdesk)
        if isinstance(section, dict):
            return _entry_of(helpdesk, section) or ESCALATION_TAG
        entry = getattr(section, "escalation_entry", None)
        if isinstance(entry, EscalationEntry):
            return entry
        model = settings_model_of(helpdesk)
        field = model.model_fields.get("escalation_entry") if model is not None else None
        default = field.default if field is not None else None
        return default if isinstance(default, EscalationEntry) else ESCALATION_TAG


class ConnectorsFromEnv(EnvSettingsSource):
    """The environment as pydantic-settings reads it, each connector's section typed by its
    settings model as a field would be: ``BRIDGE_CONNECTORS__<NAME>__LABELS='["a", "b"]'``
    is read as the list the model declares."""

    def next_field(
        self, field: FieldInfo | Any | None, key: str, case_sensitive: bool | None = None
    ) -> FieldInfo | None:
        annotation = field.annotation if isinstance(field, FieldInfo) else field
        if annotation is ConnectorsConfig:
            model = settings_model_of(key if case_sensitive else key.lower())
            return FieldInfo.from_annotation(model) if model is not None else None
        return super().next_field(field, key, case_sensitive)


def _known_names(data: dict[str, Any]) -> None:
    known = set(installed_names())
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


def _no_blank_secret(data: dict[str, Any], models: dict[str, type[BaseModel] | None]) -> None:
    """Refuse a blank secret, and a malformed ``escalation_entry`` of a connector without a
    settings model, before any section is validated."""
    for name, body in data.items():
        if models[name] is None and isinstance(body, dict):
            _entry_of(name, body)  # refused at load, not at the first delivery
        blank = _blank_secret(models[name], body)
        if blank:
            variable = f"BRIDGE_CONNECTORS__{name.upper()}__{blank.upper()}"
            msg = (
                f'{name}.{blank} is blank (""): set it, here or with {variable}, or remove the key'
            )
            raise ValueError(msg)


def _validated(data: dict[str, Any], models: dict[str, type[BaseModel] | None]) -> dict[str, Any]:
    """Each section through its connector's settings model, every problem of every section
    reported at once under its key (``connectors.<name>.<key>``); an empty section of a
    connector with a model is no section, as if left out."""
    typed = tuple((name, model) for name, model in models.items() if model is not None)
    sections = _sections_model(typed)
    checked = sections.model_validate(data)
    found = {name: getattr(checked, name) for name in sections.model_fields}
    given = {name: section for name, section in found.items() if section is not None}
    return given | (checked.model_extra or {})


@functools.cache
def _sections_model(typed: tuple[tuple[str, type[BaseModel]], ...]) -> type[BaseModel]:
    """A model with a field per typed section, so pydantic validates and reports each as
    it would a declared field; the other sections pass as written."""
    fields: dict[str, Any] = {name: (model | None, None) for name, model in typed}
    return create_model("ConnectorSections", __config__=ConfigDict(extra="allow"), **fields)


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


def _blank_secret(model: type[BaseModel] | None, body: Any) -> str | None:
    """The first secret of a connector's settings given as an empty string: the secrets its
    settings model declares, a connector without one's ``webhook_secret``."""
    if not isinstance(body, dict):
        return None
    if model is None:
        secret = body.get(WEBHOOK_SECRET)
        return WEBHOOK_SECRET if isinstance(secret, str) and not secret.strip() else None
    for key, value in body.items():
        field = model.model_fields.get(key)
        secret = field is not None and SecretStr in (field.annotation, *get_args(field.annotation))
        if secret and isinstance(value, str) and not value.strip():
            return str(key)
    return None
