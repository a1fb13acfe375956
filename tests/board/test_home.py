"""``/``: the page someone opening the bridge's address finds, linking the board, the health
checks and the metrics, instead of a JSON 404."""

from __future__ import annotations

import pytest

from tests.helpers import migrated_runtime
from webhooks.app import create_app

from .conftest import TOKEN


def test_the_address_of_the_bridge_shows_a_page_linking_the_board_and_the_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    monkeypatch.setenv("BRIDGE_SECRET_KEY", "a-key-for-the-board-cookie")
    with migrated_runtime() as runtime:
        response = create_app(runtime=runtime).test_client().get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    for link in ("/board", "/healthz", "/readyz", "/metrics"):
        assert f'href="{link}"' in response.text
    assert "log in with the value of\n      <code>BRIDGE_API_TOKEN</code></li>" in response.text
    assert "README.md" in response.text
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_without_what_the_login_needs_the_page_says_which_variables_to_set() -> None:
    with migrated_runtime() as runtime:
        response = create_app(runtime=runtime).test_client().get("/")
    assert response.status_code == 200
    assert (
        "(set\n      <code>BRIDGE_SECRET_KEY</code> and <code>BRIDGE_API_TOKEN</code> first)"
        in response.text
    )
