"""The acceptance page as the customer uses it: look, answer once, and see what was recorded."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bridge.config.resolution import ResolutionConfig
from bridge.runtime import Runtime
from bridge.store import tables
from webhooks.app import create_app

from .conftest import planned, state_of
from .pages import expired_link, link_in_notice, shipped_to
from .story import ENGINEER, WORKAROUND


@pytest.fixture
def client(runtime: Runtime) -> FlaskClient:
    return create_app(runtime=runtime).test_client()


def thread(runtime: Runtime) -> list[str]:
    return [row.payload["text"] for row in planned(runtime, "thread_reply")]


def test_the_page_states_the_problem_the_fix_and_offers_two_answers(
    runtime: Runtime, client: FlaskClient
) -> None:
    shipped_to(runtime, "701")

    page = client.get(link_in_notice(runtime, "701", "accept"))

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Orders fail to sync" in text and "acme/app release v4.2.1" in text
    assert WORKAROUND in text
    assert 'value="accept"' in text and 'value="still_broken"' in text
    assert "You chose <strong>Accept</strong>" in text
    assert 'name="viewport"' in text


def test_accepting_starts_monitoring_and_tells_support_and_development(
    runtime: Runtime, client: FlaskClient
) -> None:
    escalation_id = shipped_to(runtime, "701")

    page = client.post(link_in_notice(runtime, "701", "accept"), data={"answer": "accept"})

    assert page.status_code == 200
    assert "Thank you, your answer is recorded" in page.get_data(as_text=True)
    assert state_of(runtime, escalation_id) == "monitoring"
    assert any(
        "The customer accepted the fix (acme/app release v4.2.1)" in t for t in thread(runtime)
    )
    [comment] = planned(runtime, "comment")
    assert comment.target == "github" and comment.payload["ref"] == "acme/app#12"
    assert "accepted the fix" in comment.payload["text"]
    notes = [row.payload["text"] for row in planned(runtime, "internal_note")]
    assert any(note.startswith("Outcome: customer satisfied") for note in notes)


def test_still_broken_reopens_the_escalation_and_alerts_the_engineer(
    runtime: Runtime, client: FlaskClient
) -> None:
    escalation_id = shipped_to(runtime, "701")

    page = client.post(
        link_in_notice(runtime, "701", "still_broken"), data={"answer": "still_broken"}
    )

    assert "Your case is reopened" in page.get_data(as_text=True)
    assert state_of(runtime, escalation_id) == "active"
    [alert] = [r for r in planned(runtime, "thread_reply") if "still broken" in r.payload["text"]]
    assert alert.payload["mention"] == [ENGINEER]
    assert "reopened at level" in alert.payload["text"]
    [comment] = planned(runtime, "comment")
    assert "still broken" in comment.payload["text"]
    replies = [r.payload["text"] for r in planned(runtime, "public_reply")]
    assert any("We have reopened your case" in text for text in replies)


def test_a_used_link_shows_the_answer_already_given_and_changes_nothing(
    runtime: Runtime, client: FlaskClient
) -> None:
    escalation_id = shipped_to(runtime, "701")
    link = link_in_notice(runtime, "701", "accept")
    client.post(link, data={"answer": "accept"})
    before = thread(runtime)

    again = client.post(
        link_in_notice(runtime, "701", "still_broken"), data={"answer": "still_broken"}
    )
    shown = client.get(link)

    for page in (again, shown):
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "This link has already been used" in text
        assert "solved the problem" in text
    assert thread(runtime) == before
    assert state_of(runtime, escalation_id) == "monitoring"


def test_an_expired_link_gets_a_page_that_says_so(runtime: Runtime, client: FlaskClient) -> None:
    escalation_id = shipped_to(runtime, "701")
    with runtime.sessions() as session:
        notice_id = session.scalars(select(tables.Notice.id)).one()

    page = client.post(expired_link(runtime, notice_id), data={"answer": "accept"})

    assert page.status_code == 410
    assert "This link has expired" in page.get_data(as_text=True)
    assert state_of(runtime, escalation_id) == "awaiting_customer"


def test_a_link_that_is_not_ours_gets_a_page_not_an_error(client: FlaskClient) -> None:
    page = client.get("/resolution/not-a-real-token?answer=accept")

    assert page.status_code == 404
    assert "This link is not valid" in page.get_data(as_text=True)


def test_where_configured_accepting_also_closes_the_ar(
    runtime: Runtime, client: FlaskClient
) -> None:
    configured = ResolutionConfig(close_ar_on_accept=True, ar_done_status="Released")
    runtime.settings = runtime.settings.model_copy(update={"resolution": configured})
    shipped_to(runtime, "701")

    client.post(link_in_notice(runtime, "701", "accept"), data={"answer": "accept"})

    [move] = planned(runtime, "move_to")
    assert (move.target, move.payload) == ("github", {"ref": "acme/app#12", "status": "Released"})


PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def test_every_answer_of_the_page_is_never_cached_framed_or_sent_on_as_a_referrer(
    runtime: Runtime, client: FlaskClient
) -> None:
    shipped_to(runtime, "701")
    link = link_in_notice(runtime, "701", "accept")

    pages = {
        "asked": client.get(link),
        "answered": client.post(link, data={"answer": "accept"}),
        "used": client.get(link),
        "not ours": client.get("/resolution/not-a-real-token"),
    }

    for name, page in pages.items():
        for header, value in PAGE_HEADERS.items():
            assert page.headers.get(header) == value, (name, header)
        policy = page.headers.get("Content-Security-Policy", "")
        for directive in (
            "default-src 'none'",
            "script-src 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ):
            assert directive in policy, (name, directive)
