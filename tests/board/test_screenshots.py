"""The board's pages for people, in a real browser (Debian's chromium through Playwright) at
desktop and phone size, on escalations played through the real flows against the sandbox
(``played.py``): each page shows organisation names, engineers' Slack display names, ticket
subjects and severities, and never the raw vendor id of something whose name is known.

With ``BOARD_SCREENSHOT=1`` each page is also saved as ``docs/screenshots/<page>-<screen>.png``
(``make screenshots``).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bridge.store import tables
from tests.helpers import migrated_runtime, running_sandbox
from webhooks.app import create_app

from .played import CUSTOMERS, ENGINEERS, ERIN, GLOBEX, SAM, SUPPORT, TOKEN, Played, played_story

pytest.importorskip("playwright", reason="playwright is not installed: pip install playwright")

from playwright.sync_api import Browser, Page, ViewportSize

if shutil.which("/usr/bin/chromium") is None:
    pytest.skip(
        "/usr/bin/chromium is missing: apt-get install -y chromium", allow_module_level=True
    )

SCREENS: dict[str, ViewportSize] = {
    "desktop": {"width": 1440, "height": 900},
    "phone": {"width": 375, "height": 667},
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass(frozen=True)
class PageForPeople:
    name: str  # of its screenshots: docs/screenshots/<name>-<screen>.png
    path: str  # "{escalation}" stands for Globex's escalation, the one worked to the end
    shows: tuple[str, ...]  # names, subjects and severities its visible text must contain


SEVERITIES = ("Severity 1", "Severity 2", "Severity 3", "Urgent", "High Priority")
TEAM = "#support-escalations"  # the sandbox's Slack channel, routed to by its id
EVERYONE = (
    TEAM,
    *(customer.organisation for customer in CUSTOMERS),
    *(customer.email for customer in CUSTOMERS),
    *(customer.subject for customer in CUSTOMERS),
    *(engineer.display_name for engineer in ENGINEERS),
    *SEVERITIES,
)
ONE = (GLOBEX.organisation, GLOBEX.email, GLOBEX.subject, ERIN.display_name, "alice", TEAM)

# Every page under /board that people read. A new one fails
# test_every_page_for_people_is_looked_at until it is added here.
PAGES = (
    PageForPeople("board", "/board", EVERYONE),
    PageForPeople("timeline", "/board/escalations/{escalation}", (*ONE, "Severity 1", "Urgent")),
    # ---- the insights page, once merged: ------------------------------------------------------
    # PageForPeople("insights", "/board/insights", (...the names and severities it shows...)),
)
# Not pages for people: the login form, logging out, static files and data exports.
NOT_FOR_PEOPLE = re.compile(r"login|logout|static|csv|json", re.IGNORECASE)


def test_every_page_for_people_is_looked_at() -> None:
    """Each ``GET`` route under /board that renders a page is in ``PAGES``."""
    with migrated_runtime() as runtime:
        app = create_app(runtime=runtime)
    routes = {
        rule.endpoint: rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/board")
        and "GET" in (rule.methods or ())
        and not NOT_FOR_PEOPLE.search(f"{rule.endpoint} {rule.rule}")
    }
    adapter = app.url_map.bind("localhost")
    looked_at = {adapter.match(page.path.format(escalation=1))[0] for page in PAGES}
    missing = {endpoint: rule for endpoint, rule in routes.items() if endpoint not in looked_at}
    assert missing == {}, f"add these pages to PAGES in {__name__}: {missing}"
    assert looked_at >= {"board.index", "board.timeline"}


@pytest.fixture
def played(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Played]:
    with running_sandbox() as sandbox, played_story(sandbox, isolated_settings, monkeypatch) as it:
        yield it


def named_ids(played: Played) -> dict[str, str]:
    """``{vendor id: name}`` of every id the bridge learnt a name for."""
    with played.bridge.runtime.sessions() as session:
        rows = session.execute(select(tables.KnownName.external_id, tables.KnownName.name))
        return {external_id: name for external_id, name in rows}


def log_in(page: Page, served: str) -> None:
    page.goto(served + "/board")
    page.get_by_label("API token").fill(TOKEN)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(served + "/board")


def overflow(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def looked_at(played: Played, browser: Browser, screen: str) -> dict[str, tuple[str, int]]:
    """``{page: (its visible text, how many pixels wider than the screen it is)}`` for each of
    ``PAGES`` on ``screen``, logged in through the form; saved too with BOARD_SCREENSHOT=1."""
    mobile = screen == "phone"
    context = browser.new_context(viewport=SCREENS[screen], is_mobile=mobile, has_touch=mobile)
    page = context.new_page()
    log_in(page, played.bridge.url)
    seen: dict[str, tuple[str, int]] = {}
    for shown in PAGES:
        path = shown.path.format(escalation=played.escalations[GLOBEX])
        answer = page.goto(played.bridge.url + path)
        assert answer is not None and answer.status == 200, path
        if os.environ.get("BOARD_SCREENSHOT") == "1":
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{shown.name}-{screen}.png"), full_page=True)
        seen[shown.name] = (page.inner_text("body"), overflow(page))
    context.close()
    return seen


def test_each_page_names_people_and_customers_never_their_ids_on_desktop_and_phone(
    played: Played, browser: Browser
) -> None:
    names = named_ids(played)
    vendor_ids = {
        *(str(customer.organisation_id) for customer in CUSTOMERS),
        *(str(customer.requester_id) for customer in CUSTOMERS),
        *(engineer.slack_id for engineer in ENGINEERS),
        SUPPORT,
        played.sandbox.credentials["slack"]["channel"],
    }
    assert vendor_ids <= set(names), "the worker learnt every name the pages need"
    assert {names[ERIN.slack_id], names[SAM.slack_id]} == {"Erin Okafor", "Sam Lee"}
    raw = re.compile("|".join(rf"\b{re.escape(one)}\b" for one in sorted(names)))

    for screen in SCREENS:
        seen = looked_at(played, browser, screen)
        for shown in PAGES:
            text, wider = seen[shown.name]
            absent = [name for name in shown.shows if name not in text]
            assert absent == [], f"{shown.name} ({screen}) does not show {absent}"
            ids = sorted(set(raw.findall(text)))
            assert ids == [], f"{shown.name} ({screen}) shows ids whose name is known: {ids}"
            assert re.findall(r"\bU0[A-Z0-9]{6,}\b", text) == [], shown.name
            if screen == "phone":
                assert wider <= 0, f"{shown.name} is {wider}px wider than the phone's screen"
