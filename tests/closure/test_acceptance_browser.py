"""The acceptance page in a real browser (Debian's chromium through Playwright): both buttons,
an expired link, a used link, and a phone-sized screen."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bridge.runtime import Runtime
from bridge.store import tables

from .conftest import state_of
from .pages import expired_link, link_in_notice, shipped_to

pytest.importorskip("playwright", reason="playwright is not installed: pip install playwright")

from playwright.sync_api import Browser, Page, ViewportSize

CHROMIUM = "/usr/bin/chromium"
if shutil.which(CHROMIUM) is None:
    pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium", allow_module_level=True)

PHONE: ViewportSize = {"width": 375, "height": 667}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


@pytest.mark.parametrize(
    ("button", "answer", "said", "state"),
    [
        ("Accept: it works", "accept", "solved the problem", "monitoring"),
        ("Still broken", "still_broken", "Your case is reopened", "active"),
    ],
)
def test_each_button_records_its_answer(
    runtime: Runtime, served: str, page: Page, button: str, answer: str, said: str, state: str
) -> None:
    escalation_id = shipped_to(runtime, "901")
    page.goto(served + link_in_notice(runtime, "901", answer))
    assert heading(page) == "Did the fix solve your problem?"

    page.get_by_role("button", name=button).click()

    assert heading(page) == "Thank you, your answer is recorded"
    assert said in page.inner_text("main")
    assert state_of(runtime, escalation_id) == state


def test_a_used_link_says_so_when_opened_again(runtime: Runtime, served: str, page: Page) -> None:
    shipped_to(runtime, "902")
    link = served + link_in_notice(runtime, "902", "accept")
    page.goto(link)
    page.get_by_role("button", name="Accept: it works").click()

    page.goto(link)

    assert heading(page) == "This link has already been used"
    assert page.get_by_role("button").count() == 0


def test_an_expired_link_says_so(runtime: Runtime, served: str, page: Page) -> None:
    shipped_to(runtime, "903")
    with runtime.sessions() as session:
        notice_id = session.scalars(select(tables.Notice.id)).one()

    page.goto(served + expired_link(runtime, notice_id))

    assert heading(page) == "This link has expired"


def test_on_a_phone_the_page_fits_and_the_buttons_are_easy_to_tap(
    runtime: Runtime, served: str, browser: Browser
) -> None:
    shipped_to(runtime, "904")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(served + link_in_notice(runtime, "904", "accept"))

    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    boxes = [
        phone.get_by_role("button", name=name).bounding_box()
        for name in ("Accept: it works", "Still broken")
    ]
    context.close()
    assert overflow <= 0
    for box in boxes:
        assert box is not None
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
