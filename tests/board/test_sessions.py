"""The board's browser login as an attacker meets it: a cookie copied before "Log out" opens
nothing afterwards, sessions run out, guessing the token is slowed to a crawl per address, and
every board page carries the same protective headers as the customer's acceptance page."""

from __future__ import annotations

import datetime as dt

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.store.tables import BoardSession
from tests.helpers import migrated_runtime
from webhooks.app import create_app

from .conftest import AUTH, TOKEN

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}
COLLEAGUE = {"REMOTE_ADDR": "198.51.100.7"}


def logged_in_cookie(client: FlaskClient) -> str:
    response = client.post("/board/login", data={"token": TOKEN})
    assert response.status_code == 303
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def browser_with(app_client: FlaskClient, cookie: str) -> FlaskClient:
    other = app_client.application.test_client()
    other.set_cookie("session", cookie)
    return other


def wrong_tokens(client: FlaskClient, count: int, address: dict[str, str]) -> list[int]:
    return [
        client.post("/board/login", data={"token": f"guess-{n}"}, environ_base=address).status_code
        for n in range(count)
    ]


# -- sessions end -------------------------------------------------------------------------------
def test_a_cookie_copied_before_logging_out_opens_nothing_afterwards(client: FlaskClient) -> None:
    copied = logged_in_cookie(client)
    assert browser_with(client, copied).get("/board", headers=HTML).status_code == 200

    client.post("/board/logout")

    replayed = browser_with(client, copied)
    page = replayed.get("/board", headers=HTML)
    assert page.status_code == 302
    assert page.headers["Location"] == "/board/login?next=/board"
    api = replayed.get("/board", headers=JSON)
    assert api.status_code == 401
    assert api.json["error"] == "unauthorized"


def test_logging_out_ends_only_that_browser_s_session(client: FlaskClient) -> None:
    mine = logged_in_cookie(client)
    colleague = client.application.test_client()
    logged_in_cookie(colleague)

    browser_with(client, mine).post("/board/logout")

    assert colleague.get("/board", headers=HTML).status_code == 200
    assert browser_with(client, mine).get("/board", headers=HTML).status_code == 302


def test_logging_in_again_ends_the_browser_s_previous_session(client: FlaskClient) -> None:
    earlier = logged_in_cookie(client)
    logged_in_cookie(client)

    assert browser_with(client, earlier).get("/board", headers=HTML).status_code == 302
    assert client.get("/board", headers=HTML).status_code == 200


def test_a_session_ends_once_its_hours_have_passed(runtime: Runtime, client: FlaskClient) -> None:
    logged_in_cookie(client)
    assert client.get("/board", headers=HTML).status_code == 200

    # board.session_hours later (12 by default): every open session has run out
    with runtime.sessions.begin() as session:
        session.execute(update(BoardSession).values(expires_at=utcnow() - dt.timedelta(seconds=1)))

    assert client.get("/board", headers=HTML).status_code == 302


def test_a_cookie_from_before_server_side_sessions_must_log_in_again(
    client: FlaskClient,
) -> None:
    """A cookie holding only the token's fingerprint (what logging in used to set) is refused."""
    logged_in_cookie(client)
    with client.session_transaction() as held:
        held.pop("board_login")
    assert client.get("/board", headers=HTML).status_code == 302


# -- guessing the token -------------------------------------------------------------------------
def test_the_eleventh_wrong_token_from_one_address_is_a_429_with_retry_after(
    client: FlaskClient,
) -> None:
    assert wrong_tokens(client, 10, ATTACKER) == [401] * 10

    refused = client.post("/board/login", data={"token": "guess-11"}, environ_base=ATTACKER)
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 15 * 60
    assert "<h1>Too many login attempts</h1>" in refused.text
    assert f"try again in {wait} seconds" in refused.text

    even_right = client.post("/board/login", data={"token": TOKEN}, environ_base=ATTACKER)
    assert even_right.status_code == 429
    assert "set-cookie" not in {name.lower() for name, _ in even_right.headers}

    as_json = client.post("/board/login", data={"token": "x"}, headers=JSON, environ_base=ATTACKER)
    assert as_json.status_code == 429
    assert as_json.json["error"] == "too_many_login_attempts"


def test_another_address_still_logs_in_while_one_is_held_back(client: FlaskClient) -> None:
    wrong_tokens(client, 11, ATTACKER)

    response = client.post("/board/login", data={"token": TOKEN}, environ_base=COLLEAGUE)

    assert response.status_code == 303
    assert client.get("/board", headers=HTML, environ_base=COLLEAGUE).status_code == 200


def test_right_tokens_are_never_counted(client: FlaskClient) -> None:
    for _ in range(15):
        assert client.post("/board/login", data={"token": TOKEN}).status_code == 303
    assert wrong_tokens(client, 1, COLLEAGUE) == [401]


def test_the_limit_follows_board_failed_logins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    monkeypatch.setenv("BRIDGE_SECRET_KEY", "board-secret-key-for-tests")
    monkeypatch.setenv("BRIDGE_BOARD__FAILED_LOGINS", "2/minute")
    with migrated_runtime() as runtime:
        client = create_app(runtime=runtime).test_client()
        answers = wrong_tokens(client, 3, ATTACKER)
        retry_after = int(
            client.post("/board/login", data={"token": "x"}, environ_base=ATTACKER).headers[
                "Retry-After"
            ]
        )
    assert answers == [401, 401, 429]
    assert 0 < retry_after <= 60


# -- headers ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/board", "/board/login", "/board/escalations/999"])
def test_every_board_page_is_never_cached_framed_sniffed_or_sent_on_as_a_referrer(
    client: FlaskClient, path: str
) -> None:
    page = client.get(path, headers={**AUTH, **HTML})

    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
