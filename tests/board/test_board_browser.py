"""The board in a real browser (Debian's chromium through Playwright): log in through the form,
find the escalation, open its timeline; at desktop size and on a phone-sized screen.
(The screenshots in docs/screenshots/ are taken by ``test_screenshots.py``, on escalations
played through the sandbox.)
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime

from .conftest import TOKEN, add_ticket, close_it, escalate, link_ar, start_work

pytest.importorskip("playwright", reason="playwright is not installed: pip install playwright")

from playwright.sync_api import Browser, Page, ViewportSize

if shutil.which("/usr/bin/chromium") is None:
    pytest.skip(
        "/usr/bin/chromium is missing: apt-get install -y chromium", allow_module_level=True
    )

PHONE: ViewportSize = {"width": 375, "height": 667}
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
JIRA = "https://acme.atlassian.net/browse/"


@pytest.fixture
def escalations(runtime: Runtime) -> dict[str, int]:
    """Three open escalations as a support team would have them, and one closed."""
    now = utcnow()
    add_ticket(runtime, "48213", customer="Globex Corporation", region="emea")
    add_ticket(runtime, "48190", customer="Initech", opened_at=now - dt.timedelta(days=14))
    add_ticket(runtime, "48232", customer="Umbrella Health")
    add_ticket(runtime, "47950", customer="Hooli", opened_at=now - dt.timedelta(days=6))

    globex = escalate(runtime, "48213", triaged=True, now=now - dt.timedelta(hours=5))
    runtime.services.escalations.acknowledge(
        globex, by="alice.moreau", cause="test", now=now - dt.timedelta(hours=4, minutes=40)
    )
    start_work(runtime, globex, "erin.okafor", now - dt.timedelta(hours=4))
    runtime.services.escalations.raise_level(
        globex, by="alice.moreau", cause="test", now=now - dt.timedelta(hours=2)
    )
    link_ar(runtime, globex, "spar", "SUP-1042", JIRA + "SUP-1042")
    link_ar(runtime, globex, "ar", "DEV-881", JIRA + "DEV-881")

    initech = escalate(runtime, "48190", now=now - dt.timedelta(days=10))
    umbrella = escalate(runtime, "48232", triaged=True, now=now - dt.timedelta(minutes=20))

    hooli = escalate(runtime, "47950", triaged=True, now=now - dt.timedelta(days=3))
    start_work(runtime, hooli, "sam.lee", now - dt.timedelta(days=3))
    close_it(runtime, hooli, now - dt.timedelta(days=1))
    return {"globex": globex, "initech": initech, "umbrella": umbrella, "hooli": hooli}


def log_in(page: Page, served: str) -> None:
    page.goto(served + "/board")
    assert page.get_by_role("heading", level=1).inner_text() == "Log in to the board"
    page.get_by_label("API token").fill(TOKEN)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(served + "/board")


def overflow(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_log_in_find_the_escalation_and_open_its_timeline(
    served: str, browser: Browser, escalations: dict[str, int]
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in(page, served)

    assert page.get_by_role("heading", level=1).inner_text() == "Open escalations"
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    globex = page.locator(f"#escalation-{escalations['globex']}")
    assert "Globex Corporation" in globex.inner_text()
    assert "erin.okafor" in globex.inner_text()
    assert globex.get_by_role("link", name="SUP-1042").get_attribute("href") == JIRA + "SUP-1042"
    assert "Hooli" not in page.inner_text("main")
    overdue = page.locator(f"#escalation-{escalations['initech']} .due.overdue .countdown")
    assert re.fullmatch(r"overdue by .+", overdue.inner_text())
    assert page.evaluate("document.documentElement.dataset.countdown") == "live"
    assert overflow(page) <= 0

    globex.get_by_role("link", name=f"#{escalations['globex']}").click()

    page.wait_for_url(f"{served}/board/escalations/{escalations['globex']}")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == f"Escalation #{escalations['globex']}: Orders fail to sync"
    steps = page.locator("table.timeline td[data-label=Step]").all_inner_texts()
    assert steps == ["open", "triage", "acknowledge", "activate", "raise_level"]
    assert "alice.moreau" in page.inner_text("table.timeline")
    context.close()


def test_on_a_phone_the_board_and_the_timeline_fit_the_screen(
    served: str, browser: Browser, escalations: dict[str, int]
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    log_in(phone, served)

    board_overflow = overflow(phone)
    link = phone.get_by_role("link", name=f"#{escalations['initech']}")
    box = link.bounding_box()
    due = phone.locator(f"#escalation-{escalations['initech']} .due").bounding_box()
    link.tap()
    phone.wait_for_url(f"{served}/board/escalations/{escalations['initech']}")
    timeline_overflow = overflow(phone)
    first_step = phone.locator("table.timeline td[data-label=Step]").first.inner_text()
    context.close()

    assert board_overflow <= 0 and timeline_overflow <= 0
    assert box is not None and due is not None
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert due["x"] >= 0 and due["x"] + due["width"] <= PHONE["width"]
    assert first_step == "open"
