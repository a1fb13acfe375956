"""doctor asks each configured connector's class how to reach its system (``probe``), signs
in only where it answered, and has a connector offering ``field_problems`` check the field ids
bridge.yaml maps for it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bridge.config import load_settings
from bridge.connectors.probe import probe_connectors


def doctor(workdir: Path, config: dict[str, object]) -> list[tuple[str, bool, str]]:
    (workdir / "bridge.yaml").write_text(yaml.safe_dump(config))
    return [(check.name, check.ok, check.detail) for check in probe_connectors(load_settings())]


@pytest.mark.usefixtures("unheard_of")
def test_connectors_the_core_never_named_are_probed_then_signed_in(
    isolated_settings: Path,
) -> None:
    config = {
        "connectors": {
            "acme": {"site": "https://acme.example", "down": True},
            "acmedesk": {"site": "https://desk.example"},
        },
        "field_mappings": {"acmedesk": {"severity": "cf_9"}},
    }

    assert doctor(isolated_settings, config) == [
        ("connector acme", False, "cannot reach https://acme.example"),
        ("connector acmedesk", True, "signed in to acmedesk"),
        ("acmedesk fields", False, "field_mappings.acmedesk.severity: no field cf_9"),
    ]


@pytest.mark.usefixtures("unheard_of")
def test_a_reachable_connector_is_signed_in(isolated_settings: Path) -> None:
    config = {"connectors": {"acme": {"site": "https://acme.example"}}}

    assert doctor(isolated_settings, config) == [("connector acme", True, "signed in to acme")]


def test_an_unreachable_built_in_connector_says_so_before_signing_in(
    isolated_settings: Path,
) -> None:
    config = {
        "connectors": {
            "zendesk": {"url": "http://127.0.0.1:9", "email": "a@b.example", "api_token": "t"},
            "email": {"host": "127.0.0.1", "port": 9, "sender": "s@b.example"},
        }
    }

    found = doctor(isolated_settings, config)

    assert [(name, ok) for name, ok, _ in found] == [
        ("connector zendesk", False),
        ("connector email", False),
    ]
    assert found[0][2] == "cannot reach http://127.0.0.1:9/: ConnectionError"
    assert found[1][2].startswith("cannot reach 127.0.0.1:9: ")
