"""bridge.example.yaml stays in step with the settings: valid, and every key documented."""

from __future__ import annotations

import shutil
import typing
from pathlib import Path

from pydantic import BaseModel

from bridge.config import Settings, load_settings
from bridge.config.connectors import ConnectorsConfig

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "bridge.example.yaml"


def keys_of(model: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    for name, field in model.model_fields.items():
        names.add(name)
        for candidate in typing.get_args(field.annotation) or (field.annotation,):
            nested = [candidate, *typing.get_args(candidate)]
            for inner in nested:
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    names |= keys_of(inner)
    return names


def test_the_example_file_is_a_valid_configuration(isolated_settings: Path) -> None:
    shutil.copy(EXAMPLE, isolated_settings / "bridge.yaml")
    settings = load_settings()
    assert settings.routing.rules[0].channel == "#escalations-sev1"


def test_the_example_file_mentions_every_setting() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    sections = ConnectorsConfig.section_models()
    assert {"jira", "github", "slack", "zendesk", "freshdesk", "email"} <= set(sections)
    documented = keys_of(Settings).union(*(keys_of(model) for model in sections.values()))
    missing = sorted(key for key in documented if key not in text and key.upper() not in text)
    assert missing == []
