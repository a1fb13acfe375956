"""The GitHub connector signed in as a GitHub App installation, and GitHub's rate limits.

An App trades a JWT for installation tokens that expire within the hour and acts as
``<slug>[bot]``; GitHub refuses it ``GET /user``. GitHub says "limit spent" with 403 (or 429)
and ``x-ratelimit-remaining: 0``, which must be waited out, not reported as bad credentials.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import github
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bridge.connectors import retry
from bridge.connectors.github import GitHubConnector
from bridge.connectors.github.settings import GitHubSettings
from bridge.connectors.registry import Context
from bridge.services.ports import ConnectorAuthError, IdempotencyKey, TransientConnectorError
from sandbox import Sandbox
from sandbox.core.faults import Fault
from sandbox.github.app import SECONDARY_LIMIT
from sandbox.receiver import WebhookReceiver
from tests.connectors.conftest import delivered
from tests.connectors.test_github import REPO, ar_spec, issues, make_github

BOT = "support-bridge[bot]"


def app_settings(sandbox: Sandbox, **changes: Any) -> GitHubSettings:
    creds = sandbox.credentials["github"]
    given = {
        "base_url": sandbox.urls["github"],
        "repository": REPO,
        "app_id": creds["app_id"],
        "installation_id": creds["installation_id"],
        "private_key": creds["private_key"],
        **changes,
    }
    return GitHubSettings(**given)


def make_app_github(sandbox: Sandbox, context: Context, **changes: Any) -> GitHubConnector:
    return GitHubConnector(app_settings(sandbox, **changes), context)


def about(receiver: WebhookReceiver, number: int) -> list[dict[str, Any]]:
    return [
        p for p in delivered(receiver, "github") if (p.get("issue") or {}).get("number") == number
    ]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The waits the retry policy would have slept, the policy running as in production."""
    retry.set_testing(False)
    slept: list[float] = []
    monkeypatch.setattr(retry.time, "sleep", slept.append)
    yield slept
    retry.set_testing(True, attempts=3)


@pytest.fixture
def token_lifetime(sandbox: Sandbox) -> Iterator[None]:
    registered = sandbox.github.app_registration
    yield
    registered.token_lifetime = 3600


def test_an_app_files_as_its_bot_and_knows_its_own_changes_after_a_restart(
    sandbox: Sandbox, context: Context, receiver: WebhookReceiver, tmp_path: Any
) -> None:
    """The first connector files; a second one (a restart) has filed nothing, so it must learn
    its account from GitHub without GET /user. The key comes from a file, as in production."""
    key_file = tmp_path / "app.pem"
    key_file.write_text(sandbox.credentials["github"]["private_key"])
    first = make_app_github(sandbox, context, private_key=None, private_key_file=key_file)
    ref = first.create_record(ar_spec("app-1"), IdempotencyKey("github:app-1:ar:create"))
    sandbox.github.recorder.clear()

    restarted = make_app_github(sandbox, context)
    restarted.comment(ref, "Escalated to level 2", IdempotencyKey(f"github:{ref.key}:c:1"))
    restarted.move_to(ref, "closed")
    requests.post(
        f"{sandbox.urls['github']}/_sandbox/repos/{REPO}/issues/{ref.id}/comments",
        json={"body": "Looking into it", "user": "dev-dana"},
        timeout=5,
    ).raise_for_status()
    sandbox.flush_webhooks()

    [filed] = [i for i in issues(sandbox) if i["number"] == int(ref.id)]
    assert filed["user"]["login"] == BOT
    seen = {
        (
            p["action"],
            (p.get("comment") or {}).get("user", {}).get("login"),
        ): restarted.is_own_write(p)
        for p in about(receiver, int(ref.id))
    }
    assert seen[("opened", None)] is True
    assert seen[("closed", None)] is True
    assert seen[("created", BOT)] is True
    assert seen[("created", "dev-dana")] is False
    assert sandbox.github.recorder.find("GET", "/user") == []


def test_github_refuses_get_user_to_an_installation_as_it_does_for_real(sandbox: Sandbox) -> None:
    settings = app_settings(sandbox)
    app = github.Auth.AppAuth(settings.app_id or 0, settings.app_private_key())
    client = github.Github(
        base_url=sandbox.urls["github"],
        auth=app.get_installation_auth(settings.installation_id or 0),
        retry=None,
    )

    with pytest.raises(github.GithubException) as refused:
        _ = client.get_user().login
    assert refused.value.status == 403
    assert refused.value.data["message"] == "Resource not accessible by integration"


def test_an_installation_token_github_expires_mid_run_is_renewed(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_app_github(sandbox, context)
    ref = connector.create_record(ar_spec("app-2"), IdempotencyKey("github:app-2:ar:create"))
    exchanges = sandbox.github.app_registration.exchanges
    requests.post(f"{sandbox.urls['github']}/_sandbox/app/expire-tokens", timeout=5)

    connector.comment(ref, "Fix shipped in 4.2", IdempotencyKey(f"github:{ref.key}:c:shipped"))

    comments = [
        c["body"]
        for c in sandbox.github.snapshot()[REPO]["comments"]
        if c["issue_url"].endswith(f"/issues/{ref.id}")
    ]
    assert [c.splitlines()[0] for c in comments] == ["Fix shipped in 4.2"]
    assert sandbox.github.app_registration.exchanges == exchanges + 1


def test_a_token_about_to_expire_is_renewed_before_github_refuses_it(
    sandbox: Sandbox, context: Context, token_lifetime: None
) -> None:
    sandbox.github.app_registration.token_lifetime = 21  # PyGithub renews 20 s ahead
    connector = make_app_github(sandbox, context)
    ref = connector.create_record(ar_spec("app-3"), IdempotencyKey("github:app-3:ar:create"))
    exchanges = sandbox.github.app_registration.exchanges
    sandbox.github.recorder.clear()
    threading.Event().wait(1.5)  # time.sleep is switched off for the client libraries

    connector.move_to(ref, "closed")

    # Renewed ahead of time (at least once: on a slow machine a 21 s token is due again a
    # second later), never refused.
    assert sandbox.github.app_registration.exchanges > exchanges
    assert [r.status for r in sandbox.github.recorder.requests if r.status == 401] == []


def test_githubs_spent_hourly_limit_is_waited_out_until_its_reset_and_files_once(
    sandbox: Sandbox, context: Context, sleeps: list[float]
) -> None:
    sandbox.github.faults.add(
        Fault(route=f"POST /repos/{REPO}/issues", status=403, reset=5, times=1)
    )
    ref = make_app_github(sandbox, context).create_record(
        ar_spec("app-4"), IdempotencyKey("github:app-4:ar:create", fresh=True)
    )

    assert sum("(app-4)" in i["title"] for i in issues(sandbox)) == 1
    assert int(ref.id) in {i["number"] for i in issues(sandbox)}
    [waited] = sleeps
    assert 4 <= waited <= 7


def test_a_limit_resetting_in_half_an_hour_is_left_to_the_outbox_with_that_wait(
    sandbox: Sandbox, context: Context, sleeps: list[float]
) -> None:
    """Asking again into a spent limit is what gets an integration banned: one request, then
    the outbox gets the wait."""
    sandbox.github.faults.add(Fault(route=f"POST /repos/{REPO}/issues", status=403, reset=1800))
    sandbox.github.recorder.clear()

    with pytest.raises(TransientConnectorError) as limited:
        make_github(sandbox, context).create_record(
            ar_spec("app-5"), IdempotencyKey("github:app-5:ar:create", fresh=True)
        )

    assert limited.value.rate_limited
    assert limited.value.retry_after is not None and 1790 <= limited.value.retry_after <= 1802
    assert "credentials" not in str(limited.value)
    assert len(sandbox.github.recorder.find("POST", f"/repos/{REPO}/issues")) == 1
    assert sleeps == []


def test_a_secondary_limit_403_without_retry_after_waits_at_least_a_minute(
    sandbox: Sandbox, context: Context, sleeps: list[float]
) -> None:
    """GitHub's documented advice when a secondary limit names no wait: a minute at least."""
    sandbox.github.faults.add(
        Fault(route=f"POST /repos/{REPO}/issues", status=403, message=SECONDARY_LIMIT, times=1)
    )

    with pytest.raises(TransientConnectorError) as limited:
        make_app_github(sandbox, context).create_record(
            ar_spec("app-6"), IdempotencyKey("github:app-6:ar:create", fresh=True)
        )

    assert limited.value.rate_limited
    assert limited.value.retry_after == 60
    assert sleeps == []


def test_bad_credentials_are_still_reported_as_credentials_refused(
    sandbox: Sandbox, context: Context
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    foreign_pem = stranger.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    wrong_key = make_app_github(sandbox, context, private_key=foreign_pem)
    wrong_token = GitHubConnector(
        GitHubSettings(base_url=sandbox.urls["github"], repository=REPO, token="ghp_wrong"),
        context,
    )

    for connector in (wrong_key, wrong_token):
        result = connector.check()
        assert not result.ok
        assert "credentials refused (HTTP 401)" in result.detail
    sandbox.github.faults.add(Fault(route=f"POST /repos/{REPO}/issues", status=403, times=1))
    with pytest.raises(ConnectorAuthError, match=r"credentials refused \(HTTP 403\)"):
        make_github(sandbox, context).create_record(
            ar_spec("app-7"), IdempotencyKey("github:app-7:ar:create", fresh=True)
        )
