"""A connector that validates its own section (no ``settings_model``) and refuses it stops the
bridge with the keys named, as a setting would be: never an unexpected error, and never the
value given, which may be a secret."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from typing import Any

import pytest
from limits.storage import MemoryStorage
from pydantic import BaseModel, ConfigDict

from bridge.config import ConfigError
from bridge.connectors import registry
from bridge.connectors.ratelimit import RateGate


class _OwnSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    retries: int


class SelfChecking:
    key = "selfcheck"

    @classmethod
    def from_settings(cls, config: Any, context: registry.Context) -> SelfChecking:
        if config.get("mode") == "words":
            raise ValueError(
                "connectors.selfcheck.mode: not a mode; connectors.selfcheck.url: is blank"
            )
        _OwnSettings.model_validate(config)
        return cls()


class _Sections:
    def __init__(self, section: dict[str, Any]) -> None:
        self._section = section

    def configured(self) -> list[str]:
        return ["selfcheck"]

    def section(self, name: str) -> dict[str, Any]:
        return self._section


class _Settings:
    def __init__(self, section: dict[str, Any]) -> None:
        self.connectors = _Sections(section)


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = EntryPoint("selfcheck", f"{__name__}:SelfChecking", registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "discover", lambda: {"selfcheck": entry})


def build(section: dict[str, Any]) -> dict[str, Any]:
    context = registry.Context(gate=RateGate(MemoryStorage(), rates={}))
    return registry.build_connectors(_Settings(section), context)  # type: ignore[arg-type]


def test_its_own_models_refusal_names_each_key_and_never_the_value() -> None:
    with pytest.raises(ConfigError) as refused:
        build({"retries": "hunter2-secret", "colour": "blue"})

    said = [str(problem) for problem in refused.value.problems]
    assert [problem.path for problem in refused.value.problems] == [
        "connectors.selfcheck.retries",
        "connectors.selfcheck.colour",
    ]
    assert not any("hunter2" in line for line in said)


def test_its_own_words_are_split_by_the_keys_they_name() -> None:
    with pytest.raises(ConfigError) as refused:
        build({"mode": "words"})

    assert [str(problem) for problem in refused.value.problems] == [
        "connectors.selfcheck.mode: not a mode",
        "connectors.selfcheck.url: is blank",
    ]


def test_a_section_it_accepts_is_built() -> None:
    assert set(build({"retries": 3})) == {"selfcheck"}
