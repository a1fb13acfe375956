"""No Docker engine runs here, so the compose file is checked against the real CLI and settings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bridge.config import Settings
from bridge_cli import main

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
BRIDGE_SERVICES = {
    name: service for name, service in COMPOSE["services"].items() if "build" in service
}


def test_compose_runs_the_bridge_web_worker_and_migrations() -> None:
    assert set(BRIDGE_SERVICES) == {"migrate", "web", "worker"}
    assert {"postgres", "redis"} <= set(COMPOSE["services"])


@pytest.mark.parametrize("name", sorted(BRIDGE_SERVICES))
def test_every_bridge_service_runs_a_real_support_bridge_command(name: str) -> None:
    command = BRIDGE_SERVICES[name]["command"]
    assert command[0] == "support-bridge"
    # Click rejects unknown commands and options before it reaches --help.
    result = CliRunner().invoke(main, [*command[1:], "--help"])
    assert result.exit_code == 0, f"{name}: {' '.join(command)}\n{result.output}"


@pytest.mark.parametrize("name", sorted(BRIDGE_SERVICES))
def test_every_bridge_variable_in_compose_is_a_real_setting(name: str) -> None:
    for variable in BRIDGE_SERVICES[name]["environment"]:
        assert variable.startswith("BRIDGE_")
        field = variable.removeprefix("BRIDGE_").lower().split("__")[0]
        assert field in Settings.model_fields, f"{name}: {variable} is not a setting"


def test_the_image_starts_the_bridge_by_default() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["support-bridge", "serve", "--host", "0.0.0.0", "--port", "8080"]' in dockerfile
