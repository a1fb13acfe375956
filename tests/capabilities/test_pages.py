"""The pages people open are asked of the installed connectors: a tracker's issue page, a
helpdesk's agent view, and the page for an API URL stored earlier."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient

from bridge.config import Settings, load_settings
from bridge.connectors.registry import installed
from bridge.domain.enums import EntryPoint, Priority, ReasonCategory, Severity
from bridge.domain.records import Ticket, TriageAnswers
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services.escalation.escalations import EscalationRequest
from bridge.services.pages import Pages
from bridge.store.escalations import EscalationStore

from .conftest import AUTH


def configured(workdir: Path, connectors: dict[str, object]) -> Settings:
    (workdir / "bridge.yaml").write_text(yaml.safe_dump({"connectors": connectors}))
    return load_settings()


def pages_of(settings: Settings) -> Pages:
    return Pages(installed(), lambda: settings)


JIRA = {"url": "https://acme.atlassian.net/", "email": "bot@acme.example", "api_token": "t"}
GITHUB = {"repository": "acme/app", "token": "t"}
ZENDESK = {"url": "https://acme.zendesk.com", "email": "bot@acme.example", "api_token": "t"}
FRESHDESK = {"url": "https://acme.freshdesk.com", "api_key": "k"}


def test_todays_vendors_give_the_pages_they_gave(isolated_settings: Path) -> None:
    pages = pages_of(
        configured(
            isolated_settings,
            {"jira": JIRA, "github": GITHUB, "zendesk": ZENDESK, "freshdesk": FRESHDESK},
        )
    )

    assert pages.record("jira", "DEV-7", None) == "https://acme.atlassian.net/browse/DEV-7"
    assert pages.record("github", "12", None) == "https://github.com/acme/app/issues/12"
    assert pages.ticket("zendesk", "812") == "https://acme.zendesk.com/agent/tickets/812"
    assert pages.ticket("freshdesk", "9") == "https://acme.freshdesk.com/a/tickets/9"
    stored = "https://acme.atlassian.net/rest/api/2/issue/DEV-7"
    assert pages.record("jira", "DEV-7", stored) == "https://acme.atlassian.net/browse/DEV-7"
    pull = "https://api.github.com/repos/acme/app/pulls/3"
    assert pages.record("github", "3", pull) == "https://github.com/acme/app/pull/3"
    enterprise = "https://git.acme.example/api/v3/repos/acme/app/issues/4"
    assert pages.record("github", "4", enterprise) == "https://git.acme.example/acme/app/issues/4"
    page = "https://github.com/acme/app/issues/5"
    assert pages.record("github", "5", page) == page


def test_an_unconfigured_system_has_no_page(isolated_settings: Path) -> None:
    pages = pages_of(configured(isolated_settings, {"github": GITHUB}))

    assert pages.ticket("zendesk", "812") is None
    assert pages.record("jira", "DEV-7", None) is None
    assert pages.ticket("intake", "A-1") is None


@pytest.mark.usefixtures("unheard_of")
def test_connectors_the_core_never_named_give_their_pages(isolated_settings: Path) -> None:
    pages = pages_of(
        configured(
            isolated_settings,
            {
                "acme": {"site": "https://acme.example"},
                "acmedesk": {"site": "https://desk.example"},
            },
        )
    )

    assert pages.record("acme", "OPS-3", None) == "https://acme.example/issues/OPS-3"
    assert pages.ticket("acmedesk", "7") == "https://desk.example/desk/7"
    stored = "https://api.acme.example/v1/issues/OPS-3"
    assert pages.record("acme", "OPS-3", stored) == "https://acme.example/issues/OPS-3"


def test_the_board_links_a_ticket_and_an_ar_of_connectors_the_core_never_named(
    unheard_of: None, isolated_settings: Path, request: pytest.FixtureRequest
) -> None:
    connectors = {
        "acme": {"site": "https://acme.example"},
        "acmedesk": {"site": "https://d.example"},
    }
    (isolated_settings / "bridge.yaml").write_text(yaml.safe_dump({"connectors": connectors}))
    runtime: Runtime = request.getfixturevalue("runtime")
    client: FlaskClient = request.getfixturevalue("client")
    opened = utcnow() - dt.timedelta(days=10)
    ticket = Ticket(
        "7",
        "ops@customer.example",
        "Customer Ltd",
        "Orders fail to sync",
        severity=Severity.CRITICAL,
        priority=Priority.URGENT,
        opened_at=opened,
        last_support_reply_at=opened + dt.timedelta(hours=1),
    )
    with runtime.sessions.begin() as session:
        EscalationStore(session).save_ticket("acmedesk", ticket, opened)
    escalation = runtime.services.escalations.request(
        EscalationRequest(
            "acmedesk:7",
            ReasonCategory.DATA_LOSS,
            "orders lost",
            "U0ALICE001",
            EntryPoint.API,
            "test",
            triage=TriageAnswers(production_down=True),
        ),
        utcnow(),
    )
    ref = {"system": "acme", "key": "OPS-3", "url": None}
    with runtime.sessions.begin() as session:
        EscalationStore(session).link_record(escalation, None, "ar", ref, utcnow())

    [row] = client.get("/board", headers=AUTH).json["escalations"]

    assert row["ticket"]["url"] == "https://d.example/desk/7"
    assert [record["url"] for record in row["records"]] == ["https://acme.example/issues/OPS-3"]
