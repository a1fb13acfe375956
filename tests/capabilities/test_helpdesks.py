"""A helpdesk the core never named is heard like Zendesk and Freshdesk: its deliveries are
processed, its settings say what marks a ticket for escalation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bridge.config import ConfigError, load_settings
from bridge.config.helpdesks import EscalationEntry
from bridge.runtime import Runtime


@pytest.mark.usefixtures("unheard_of")
def test_every_installed_helpdesks_deliveries_are_processed(runtime: Runtime) -> None:
    helpdesk = runtime.processors.find("zendesk")

    assert helpdesk is not None
    for source in ("freshdesk", "acmedesk", "intake"):
        assert runtime.processors.find(source) is helpdesk
    assert runtime.processors.find("acme") is not helpdesk


def entry_of(workdir: Path, connectors: dict[str, object], helpdesk: str) -> EscalationEntry:
    (workdir / "bridge.yaml").write_text(yaml.safe_dump({"connectors": connectors}))
    return load_settings().connectors.escalation_entry(helpdesk)


def test_todays_helpdesks_keep_their_escalation_entry(isolated_settings: Path) -> None:
    assert entry_of(isolated_settings, {}, "zendesk") == EscalationEntry(tag="escalation")
    assert entry_of(isolated_settings, {}, "freshdesk") == EscalationEntry(type="Escalation")
    assert entry_of(isolated_settings, {}, "intake") == EscalationEntry(tag="escalation")
    zendesk = {"url": "https://a.zendesk.com", "email": "a@b.example", "api_token": "t"}
    zendesk["escalation_entry"] = {"field_id": 7, "value": "yes"}
    marked = EscalationEntry(field_id=7, value="yes")
    assert entry_of(isolated_settings, {"zendesk": zendesk}, "zendesk") == marked


@pytest.mark.usefixtures("unheard_of")
def test_a_helpdesk_the_core_never_named_sets_its_escalation_entry(
    isolated_settings: Path,
) -> None:
    desk = {"site": "https://desk.example", "escalation_entry": {"tag": "escalate-me"}}

    assert entry_of(isolated_settings, {"acmedesk": desk}, "acmedesk") == EscalationEntry(
        tag="escalate-me"
    )
    assert entry_of(isolated_settings, {"acmedesk": {}}, "acmedesk") == EscalationEntry(
        tag="escalation"
    )


@pytest.mark.usefixtures("unheard_of")
def test_a_wrong_escalation_entry_of_a_third_party_helpdesk_is_refused_at_load(
    isolated_settings: Path,
) -> None:
    desk = {"escalation_entry": {"tag": "x", "type": "Escalation"}}
    (isolated_settings / "bridge.yaml").write_text(
        yaml.safe_dump({"connectors": {"acmedesk": desk}})
    )

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert [str(problem) for problem in caught.value.problems] == [
        "connectors: acmedesk.escalation_entry: set exactly one of tag, field_id (with value) "
        "or type"
    ]
