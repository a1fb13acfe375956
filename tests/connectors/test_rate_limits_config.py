"""``rate_limits`` in bridge.yaml: a budget a smaller plan or a Data Center sets lower (or a
private deployment higher) than the connector's own, each checked as it is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from limits.storage import MemoryStorage
from structlog.testing import capture_logs

from bridge.config import ConfigError, load_settings
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import budgets_for, installed_budgets
from bridge.services.ports import TransientConnectorError


def configured(workdir: Path, text: str) -> None:
    (workdir / "bridge.yaml").write_text(text, encoding="utf-8")


def test_every_connector_names_its_own_budgets() -> None:
    budgets = installed_budgets()
    assert budgets["zendesk:requests"] == "700/minute"
    assert budgets["jira:requests"] == "10/second"
    assert budgets["slack:channel"] == "1/second"
    assert set(budgets) >= {"github:content", "github:requests", "freshdesk:requests"}


def test_a_budget_set_in_bridge_yaml_replaces_the_connectors_own(isolated_settings: Path) -> None:
    configured(isolated_settings, 'rate_limits:\n  zendesk:requests: "2/minute"\n')
    budgets = budgets_for(load_settings())
    assert budgets["zendesk:requests"] == "2/minute"
    assert budgets["jira:requests"] == "10/second"  # the others stay the connectors'

    gate = RateGate(MemoryStorage(), rates=budgets, max_wait=0)
    gate.take("zendesk:requests")
    gate.take("zendesk:requests")
    with pytest.raises(TransientConnectorError, match="zendesk:requests is used up"):
        gate.take("zendesk:requests")


def test_a_budget_no_connector_spends_is_said_in_the_log(isolated_settings: Path) -> None:
    configured(isolated_settings, 'rate_limits:\n  zendsk:requests: "5/minute"\n')
    with capture_logs() as logs:
        budgets_for(load_settings())
    [said] = [entry for entry in logs if entry["event"] == "rate_limits.unknown_budget"]
    assert said["budget"] == "zendsk:requests"
    assert "zendesk:requests" in said["known"]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            'zendesk: "5/minute"',
            "'zendesk' is not a budget name (expected e.g. 'zendesk:requests')",
        ),
        ('zendesk:requests: "often"', "'often' is not a rate"),
        ('zendesk:requests: "0/minute"', "'0/minute' is not a rate"),
    ],
)
def test_a_mistaken_rate_is_refused_naming_it(
    isolated_settings: Path, entry: str, problem: str
) -> None:
    configured(isolated_settings, f"rate_limits:\n  {entry}\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    [line] = [str(p) for p in caught.value.problems]
    assert line.startswith("rate_limits")
    assert problem in line
