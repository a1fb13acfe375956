"""The guard ladder: each refusal has its status, names its problem, and is counted."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from structlog.testing import capture_logs

from bridge.config import load_settings
from bridge.runtime import bootstrap
from bridge.store import migrate
from tests.webhooks import signing
from tests.webhooks.signing import SECRETS
from webhooks.app import create_app

ISSUE = signing.fixture_bytes("github/webhooks/issues/opened.json")


def github_post(client: FlaskClient, body: bytes = ISSUE, **overrides: str):
    headers = signing.github_headers(body, SECRETS["github"], "issues", delivery="d-1")
    headers.update(overrides)
    return client.post("/webhooks/github", data=body, headers=headers)


def rejections(client: FlaskClient, source: str, reason: str) -> float:
    for line in client.get("/metrics").get_data(as_text=True).splitlines():
        if line.startswith(f'bridge_webhook_rejections_total{{reason="{reason}",source="{source}"'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_a_source_without_a_secret_answers_404_and_stores_nothing() -> None:
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    runtime = bootstrap(settings)
    client = create_app(runtime=runtime).test_client()
    with capture_logs() as logs:
        response = github_post(client)
    assert response.status_code == 404
    assert response.json["detail"] == "github webhooks are off: BRIDGE_GITHUB_WEBHOOK_SECRET unset"
    assert {
        "event": "webhook.not_configured",
        "source": "github",
        "setting": "BRIDGE_GITHUB_WEBHOOK_SECRET",
        "log_level": "warning",
    } in logs
    assert runtime.inbox.counts_by_status() == {}
    runtime.close()


def test_a_missing_signature_is_a_400_naming_the_header(client: FlaskClient, inbox) -> None:
    response = github_post(client, **{"X-Hub-Signature-256": ""})
    assert response.status_code == 400
    assert response.json == {
        "error": "missing_header",
        "detail": "missing header X-Hub-Signature-256",
    }
    assert rejections(client, "github", "missing_header") == 1.0
    assert inbox() == []


def test_a_bad_signature_is_a_401_and_counted(client: FlaskClient) -> None:
    response = github_post(client, **{"X-Hub-Signature-256": "sha256=" + "0" * 64})
    assert response.status_code == 401
    assert rejections(client, "github", "bad_signature") == 1.0


def test_a_body_over_the_helpdesk_limit_is_a_413(client: FlaskClient) -> None:
    body = b'{"ticket_id": 1, "pad": "' + b"x" * (1024 * 1024) + b'"}'
    headers = signing.freshdesk_headers(body, SECRETS["freshdesk"])
    response = client.post("/webhooks/freshdesk", data=body, headers=headers)
    assert response.status_code == 413
    assert rejections(client, "freshdesk", "too_large") == 1.0


def test_github_accepts_bodies_far_over_the_helpdesk_limit(client: FlaskClient) -> None:
    payload = json.loads(ISSUE)
    payload["issue"]["body"] = "x" * (3 * 1024 * 1024)
    body = json.dumps(payload).encode()
    assert github_post(client, body).status_code == 202


def test_a_form_encoded_delivery_is_a_415(client: FlaskClient) -> None:
    response = github_post(client, **{"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert rejections(client, "github", "unsupported_media_type") == 1.0


def test_signed_bytes_that_are_not_json_are_a_400(client: FlaskClient) -> None:
    response = github_post(client, b"{not json")
    assert (response.status_code, response.json["error"]) == (400, "bad_json")


def test_a_jira_body_without_an_event_name_is_an_unknown_event(client: FlaskClient) -> None:
    body = b'{"issue": {"key": "DEV-1"}}'
    headers = signing.jira_headers(body, SECRETS["jira"])
    response = client.post("/webhooks/jira", data=body, headers=headers)
    assert response.status_code == 400
    assert response.json == {"error": "unknown_event", "detail": "webhookEvent is missing"}


def test_an_event_the_bridge_does_not_use_is_answered_200_with_the_reason(
    client: FlaskClient, inbox
) -> None:
    body = b'{"timestamp": 1, "webhookEvent": "user_created"}'
    headers = signing.jira_headers(body, SECRETS["jira"])
    response = client.post("/webhooks/jira", data=body, headers=headers)
    assert response.status_code == 200
    assert response.json == {
        "status": "ignored",
        "reason": "event 'user_created' is not one the bridge uses",
    }
    assert inbox() == []


def test_a_duplicate_delivery_answers_200_and_stores_nothing_more(
    client: FlaskClient, inbox
) -> None:
    assert github_post(client).status_code == 202
    again = github_post(client)
    assert again.status_code == 200
    assert again.json["status"] == "duplicate"
    assert len(inbox()) == 1


def test_rejections_never_log_the_body_or_a_secret(client: FlaskClient) -> None:
    with capture_logs() as logs:
        github_post(client, b'{"customer": "confidential words"}')
        client.post(
            "/webhooks/freshdesk",
            data=b'{"ticket_id": 1}',
            headers={"Content-Type": "application/json", "X-Freshdesk-Webhook-Secret": "guess"},
        )
    logged = repr(logs)
    assert [entry["reason"] for entry in logs if entry["event"] == "webhook.rejected"] == [
        "unexpected_payload",
        "bad_signature",
    ]
    assert "confidential" not in logged
    assert SECRETS["github"] not in logged
    assert "guess" not in logged


def test_an_unreachable_store_is_a_503_so_the_vendor_retries(app: Flask, runtime) -> None:
    from sqlalchemy import text

    with runtime.engine.begin() as connection:
        connection.execute(text("DROP TABLE inbox"))
    response = github_post(app.test_client())
    assert response.status_code == 503
    assert response.json["error"] == "store_unavailable"
