from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bridge.config import hints
from bridge.config.errors import ConfigError, Problem
from bridge.config.settings import Settings

DEFAULT_CONFIG_FILE = Path("bridge.yaml")
# Flat settings come only from the environment and are reported by their variable name; the
# structured ones (a model or a mapping, as YAML writes them) by their key path.
_ENV_ONLY = {
    name
    for name, field in Settings.model_fields.items()
    if field.default_factory is None and not isinstance(field.default, BaseModel)
}


def load_settings() -> Settings:
    """Read the environment and the YAML file; raise :class:`ConfigError` listing every problem."""
    config_path, explicit = _config_path(os.environ)
    text = _read_text(config_path, explicit)
    document = _parse(text, config_path)
    try:
        return Settings(**document)
    except ValidationError as exc:
        problems = [_problem(error, config_path, text) for error in exc.errors()]
        raise ConfigError(problems) from None


def _config_path(env: Mapping[str, str]) -> tuple[Path, bool]:
    named = env.get("BRIDGE_CONFIG")
    if named:
        return Path(named), True
    return DEFAULT_CONFIG_FILE, False


def _read_text(path: Path, explicit: bool) -> str:
    if not path.exists():
        if explicit:
            raise ConfigError([Problem("BRIDGE_CONFIG", f"{path}: no such file")])
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem("BRIDGE_CONFIG", f"cannot read {path}: {exc}")]) from None


def _parse(text: str, path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        place = f"line {where.line + 1}, column {where.column + 1}: " if where else ""
        reason = hints.parser_problem(getattr(exc, "problem", None) or "not valid YAML")
        raise ConfigError([Problem(str(path), f"{place}{reason}")]) from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        msg = f"the top level must be a mapping of keys, not {type(document).__name__}"
        raise ConfigError([Problem(str(path), msg)])
    document.pop("config", None)
    return document


def _problem(error: Any, config_path: Path, text: str) -> Problem:
    location = [str(part) for part in error["loc"]]
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = hints.unknown_key(Settings, location)
    if error["type"] == "missing":
        message = "required key is missing"
    if error["input"] is None and location:
        message = hints.empty_value(location[-1], text) or message
    if error["type"] == "url_parsing":
        message = hints.url_without_scheme(error["input"]) or message
    if not location:
        return Problem(str(config_path), message)
    if location[0] in _ENV_ONLY:
        return Problem(f"BRIDGE_{location[0].upper()}", message)
    return Problem(".".join(location), message)
