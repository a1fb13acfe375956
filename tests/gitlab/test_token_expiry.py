"""The project access token's expiry, read from GitLab (``GET /personal_access_tokens/self``)
before the token's first use in a process and at most daily after: ``doctor``, ``/metrics`` and
the board show it as they show Zendesk's and GitHub's credentials. The tokens, their dates and
their refusals are the sandbox's GitLab's."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from click.testing import Result
from flask.testing import FlaskClient
from gitlab import GitlabHttpError

from bridge.config import load_settings
from bridge.connectors.credentials import CredentialWatch
from bridge.connectors.gitlab.token import (
    KIND,
    READ_EVERY_SECONDS,
    RETRY_SECONDS,
    TokenExpiry,
    expiry_of,
)
from bridge.runtime import Runtime, bootstrap
from sandbox import Sandbox
from tests.board.test_credentials_banner import banner
from tests.connectors.test_credential_expiry import doctor as run_doctor
from tests.connectors.test_slack_routing_check import doctor_rows
from webhooks.app import create_app

from .conftest import gitlab_settings

TOKEN = "board-token-for-tests"
HTML = {"Authorization": f"Bearer {TOKEN}", "Accept": "text/html"}
JSON = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
LABEL = "GitLab project access token"
FIX = "create a new project access token (scope api), then set connectors.gitlab.token"
EXPIRY = re.compile(
    r'^bridge_credential_expiry_timestamp_seconds\{connector="gitlab",kind="project_access_token"\}'
    r" (\S+)$",
    re.M,
)
FAILURES = (
    'bridge_credential_refresh_failures_total{connector="gitlab",kind="project_access_token"}'
)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def set_token(sandbox: Sandbox, **changed: object) -> None:
    """As a maintainer would in Settings → Access tokens."""
    control = f"{sandbox.urls['gitlab']}/_sandbox/token"
    answer = requests.post(control, json=changed, timeout=5)
    assert answer.status_code == 200


@pytest.fixture
def expires_in_days() -> int:
    return 200


@pytest.fixture
def token_expires(sandbox: Sandbox, expires_in_days: int) -> Iterator[dt.date]:
    day = today() + dt.timedelta(days=expires_in_days)
    set_token(sandbox, expires_at=day.isoformat(), revoked=False)
    yield day
    set_token(sandbox, expires_at=(today() + dt.timedelta(days=365)).isoformat(), revoked=False)


@pytest.fixture
def runtime(
    database_url: str,
    isolated_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
    sandbox: Sandbox,
    token_expires: dt.date,
) -> Iterator[Runtime]:
    config = {
        "routing": {"default_channel": "#escalations", "default_tracker": "gitlab"},
        "connectors": {"gitlab": gitlab_settings(sandbox)},
    }
    (isolated_settings / "bridge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("BRIDGE_DATABASE_URL", database_url)
    monkeypatch.setenv("BRIDGE_API_TOKEN", TOKEN)
    monkeypatch.setenv("BRIDGE_SECRET_KEY", "board-secret-key-for-tests")
    built = bootstrap(load_settings())
    yield built
    built.close()


def scrape(runtime: Runtime) -> str:
    return create_app(runtime=runtime).test_client().get("/metrics").get_data(as_text=True)


@pytest.mark.parametrize("expires_in_days", [10])
def test_a_token_expiring_within_14_days_shows_on_the_board_with_its_day_and_fix(
    runtime: Runtime, client: FlaskClient, token_expires: dt.date
) -> None:
    assert runtime.connectors["gitlab"].check().ok  # a worker uses the token

    shown = banner(client.get("/board", headers=HTML).text)
    listed = client.get("/board", headers=JSON).json

    assert shown == (
        "1 credential of the bridge needs attention "
        f"{LABEL}: expires {token_expires.isoformat()} (in 10 days) — {FIX} "
        "support-bridge doctor lists every credential with its expiry."
    )
    assert listed is not None
    assert [(found["connector"], found["kind"]) for found in listed["credentials"]] == [
        ("gitlab", KIND)
    ]


def test_a_token_expiring_in_months_shows_no_banner(runtime: Runtime, client: FlaskClient) -> None:
    assert runtime.connectors["gitlab"].check().ok

    assert banner(client.get("/board", headers=HTML).text) is None
    listed = client.get("/board", headers=JSON).json
    assert listed is not None and listed["credentials"] == []


def test_the_tokens_expiry_is_a_gauge_at_midnight_utc_of_its_day(
    runtime: Runtime, token_expires: dt.date
) -> None:
    assert runtime.connectors["gitlab"].check().ok

    text = scrape(runtime)

    [expires] = EXPIRY.findall(text)
    midnight = dt.datetime.combine(token_expires, dt.time(), dt.UTC)
    assert float(expires) == midnight.timestamp()
    assert f"{FAILURES} 0.0" in text


def test_a_revoked_token_is_a_refresh_failure_naming_the_setting(
    runtime: Runtime, client: FlaskClient, sandbox: Sandbox
) -> None:
    set_token(sandbox, revoked=True)  # a maintainer revoked it in GitLab

    checked = runtime.connectors["gitlab"].check()
    text = scrape(runtime)
    shown = banner(client.get("/board", headers=HTML).text)

    assert not checked.ok
    assert f"{FAILURES} 1.0" in text
    assert shown is not None
    assert re.search(
        rf"{LABEL}: last refresh failed at \d\d:\d\d UTC: GitLab refused connectors\.gitlab\.token"
        r" \(HTTP 401: Token has been revoked\.\)",
        shown,
    ), shown
    assert FIX in shown
    assert sandbox.credentials["gitlab"]["token"] not in shown + text


def doctor(sandbox: Sandbox, workdir: Path) -> Result:
    return run_doctor(workdir, {"gitlab": gitlab_settings(sandbox)})


@pytest.mark.parametrize("expires_in_days", [0])
@pytest.mark.usefixtures("token_expires")
def test_an_expired_token_fails_doctor_with_gitlabs_reason(
    sandbox: Sandbox, isolated_settings: Path
) -> None:
    result = doctor(sandbox, isolated_settings)

    assert result.exit_code == 1, result.output
    [(status, detail, fix)] = doctor_rows(result.output, "credential gitlab")
    assert status == "FAIL"
    assert detail.startswith(f"{LABEL}: last refresh failed at ")
    assert "GitLab refused connectors.gitlab.token (HTTP 401: Token has expired.)" in detail
    assert fix == FIX


@pytest.mark.parametrize("expires_in_days", [10])
def test_doctor_lists_a_token_expiring_soon_with_the_days_left(
    sandbox: Sandbox, isolated_settings: Path, token_expires: dt.date
) -> None:
    result = doctor(sandbox, isolated_settings)

    [(status, detail, fix)] = doctor_rows(result.output, "credential gitlab")
    assert status == "OK", result.output
    assert detail == f"{LABEL}: expires {token_expires.isoformat()} (in 10 days)"
    assert fix == FIX


class _Recorded(CredentialWatch):
    """The watch, in memory: what the connector told it."""

    def __init__(self) -> None:
        super().__init__()
        self.told: list[tuple[str, object]] = []

    def use(self, status: Any) -> None:
        self.told.append(("use", status.expires_at))

    def renewed(self, connector: str, kind: str, expires_at: dt.datetime | None) -> None:
        self.told.append(("renewed", expires_at))

    def failed(self, connector: str, kind: str, error: str) -> None:
        self.told.append(("failed", error))


def test_the_expiry_is_read_once_before_first_use_then_at_most_daily() -> None:
    watch, asked = _Recorded(), []
    clock = [1000.0]
    expiry = TokenExpiry(watch, clock=lambda: clock[0])  # a day passes without waiting for it

    def ask() -> dict[str, Any]:
        asked.append(clock[0])
        return {"revoked": False, "active": True, "expires_at": "2027-03-01", "scopes": ["api"]}

    for _ in range(3):
        expiry.read_if_due(ask)
    clock[0] += READ_EVERY_SECONDS - 1
    expiry.read_if_due(ask)
    clock[0] += 1
    expiry.read_if_due(ask)

    midnight = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    assert asked == [1000.0, 1000.0 + READ_EVERY_SECONDS]
    assert watch.told == [("use", midnight), ("renewed", midnight)] * 2


@pytest.mark.parametrize(
    ("answer", "judged"),
    [
        ({"revoked": True, "active": False}, "GitLab says connectors.gitlab.token is revoked"),
        (
            {"revoked": False, "active": False, "expires_at": "2026-01-31"},
            "GitLab says connectors.gitlab.token is no longer active (expired on 2026-01-31)",
        ),
        ({"revoked": False, "active": True, "expires_at": None}, None),
    ],
)
def test_a_revoked_or_inactive_token_is_judged_a_failure(
    answer: dict[str, Any], judged: str | None
) -> None:
    assert expiry_of(answer) == judged


def test_the_sandbox_describes_its_token_and_refuses_another(sandbox: Sandbox) -> None:
    url = f"{sandbox.urls['gitlab']}/api/v4/personal_access_tokens/self"
    token = sandbox.credentials["gitlab"]["token"]

    mine = requests.get(url, headers={"PRIVATE-TOKEN": token}, timeout=5)
    other = requests.get(url, headers={"PRIVATE-TOKEN": "glpat-someone-else"}, timeout=5)

    assert mine.status_code == 200
    described = mine.json()
    assert described["active"] is True and described["revoked"] is False
    assert dt.date.fromisoformat(described["expires_at"]) > today()
    assert described["scopes"] == ["api"]
    assert other.status_code == 401
    assert other.json() == {"message": "401 Unauthorized"}


def test_gitlab_failing_is_no_verdict_on_the_token_and_is_asked_again_soon() -> None:
    watch, asked = _Recorded(), []
    clock = [0.0]
    expiry = TokenExpiry(watch, clock=lambda: clock[0])

    def ask() -> dict[str, Any]:
        asked.append(clock[0])
        raise GitlabHttpError("502 Bad Gateway", response_code=502)

    expiry.read_if_due(ask)
    clock[0] += RETRY_SECONDS
    expiry.read_if_due(ask)

    assert asked == [0.0, RETRY_SECONDS]
    assert watch.told == []
