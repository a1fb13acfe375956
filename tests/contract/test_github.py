"""PyGithub, pointed at the sandbox, sees GitHub's REST API and GitHub's webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json

import github
import pytest
import requests

from sandbox import Sandbox
from sandbox.receiver import WebhookReceiver

REPO = "acme/widgets"


def _deliveries(receiver: WebhookReceiver, event: str) -> list[dict]:
    found = []
    for hit in receiver.at("/github"):
        if hit.headers["X-Github-Event"] == event:
            found.append({"headers": hit.headers, "body": hit.body, "json": json.loads(hit.body)})
    return found


def _signed_by(secret: str, delivery: dict) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), delivery["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, delivery["headers"]["X-Hub-Signature-256"])


def test_repository_is_found_by_its_full_name(gh: github.Github) -> None:
    repo = gh.get_repo(REPO)
    assert repo.full_name == REPO
    assert repo.default_branch == "main"


def test_unknown_repository_is_not_found(gh: github.Github) -> None:
    with pytest.raises(github.UnknownObjectException):
        gh.get_repo("acme/does-not-exist")


def test_a_wrong_token_is_refused_as_bad_credentials(sandbox: Sandbox) -> None:
    client = github.Github(
        base_url=sandbox.urls["github"], auth=github.Auth.Token("ghp_wrong"), retry=None
    )
    with pytest.raises(github.BadCredentialsException):
        client.get_repo(REPO)


def test_created_issue_reads_back_with_its_labels_and_milestone(gh: github.Github) -> None:
    repo = gh.get_repo(REPO)
    milestone = repo.create_milestone("2026.12", description="December train")
    created = repo.create_issue(
        title="Export fails for large files",
        body="Customer ticket 4411",
        labels=["bug"],
        milestone=milestone,
    )
    again = repo.get_issue(created.number)
    assert again.title == "Export fails for large files"
    assert [label.name for label in again.labels] == ["bug"]
    assert again.milestone.title == "2026.12"
    assert again.state == "open"


def test_editing_an_issue_closes_it_and_replaces_its_labels(gh: github.Github) -> None:
    repo = gh.get_repo(REPO)
    issue = repo.create_issue(title="Crash on login", labels=["bug"])
    issue.edit(state="closed", labels=["bug", "fixed"])
    again = repo.get_issue(issue.number)
    assert again.state == "closed"
    assert again.closed_at is not None
    assert {label.name for label in again.labels} == {"bug", "fixed"}


def test_issue_list_filters_by_state_and_label(gh: github.Github) -> None:
    repo = gh.get_repo(REPO)
    wanted = repo.create_issue(title="Slow search", labels=["perf-list"])
    repo.create_issue(title="Other", labels=["other-list"])
    closed = repo.create_issue(title="Old slow search", labels=["perf-list"])
    closed.edit(state="closed")
    numbers = [i.number for i in repo.get_issues(state="open", labels=["perf-list"])]
    assert numbers == [wanted.number]


def test_comments_and_added_labels_show_on_the_issue(gh: github.Github) -> None:
    repo = gh.get_repo(REPO)
    issue = repo.create_issue(title="Needs a comment")
    issue.create_comment("First")
    issue.create_comment("Second")
    issue.add_to_labels("escalated")
    again = repo.get_issue(issue.number)
    assert [c.body for c in again.get_comments()] == ["First", "Second"]
    assert again.comments == 2
    assert [label.name for label in again.labels] == ["escalated"]


def test_labels_can_be_created_and_fetched(gh: github.Github) -> None:
    repo = gh.get_repo(REPO)
    repo.create_label("customer-impact", "d73a4a", "Seen by a customer")
    label = repo.get_label("customer-impact")
    assert (label.color, label.description) == ("d73a4a", "Seen by a customer")


def test_a_pull_request_merges_once(gh: github.Github, sandbox: Sandbox) -> None:
    opened = requests.post(
        f"{sandbox.urls['github']}/_sandbox/repos/{REPO}/pulls",
        json={"title": "Fix export", "head": "fix-export"},
        timeout=5,
    )
    number = opened.json()["number"]
    pull = gh.get_repo(REPO).get_pull(number)
    assert pull.merged is False
    status = pull.merge(commit_message="Fix export", merge_method="squash")
    assert status.merged is True
    assert gh.get_repo(REPO).get_pull(number).merged is True
    with pytest.raises(github.GithubException) as refused:
        pull.merge()
    assert refused.value.status == 405


def test_a_created_release_is_published(gh: github.Github) -> None:
    release = gh.get_repo(REPO).create_git_release("v2.4.0", "2.4.0", "Fixes export")
    assert release.tag_name == "v2.4.0"
    assert release.draft is False
    assert release.published_at is not None


def test_rate_limit_reports_the_core_window(gh: github.Github) -> None:
    limits = gh.get_rate_limit()
    assert limits.resources.core.limit == 5000
    assert 0 < limits.resources.core.remaining <= 5000


def test_every_answer_carries_the_rate_limit_headers(sandbox: Sandbox) -> None:
    token = sandbox.credentials["github"]["token"]
    answer = requests.get(
        f"{sandbox.urls['github']}/repos/{REPO}",
        headers={"Authorization": f"token {token}"},
        timeout=5,
    )
    for header in ("limit", "remaining", "reset", "used", "resource"):
        assert f"x-ratelimit-{header}" in answer.headers


def test_search_finds_open_issues_by_label_and_words(gh: github.Github) -> None:
    repo = gh.get_repo(REPO)
    hit = repo.create_issue(title="Invoice totals wrong", labels=["billing-search"])
    repo.create_issue(title="Invoice page slow", labels=["perf"])
    found = gh.search_issues(f"repo:{REPO} is:open label:billing-search invoice")
    assert [issue.number for issue in found] == [hit.number]


def test_a_new_issue_sends_a_signed_issues_opened_webhook(
    gh: github.Github, sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    issue = gh.get_repo(REPO).create_issue(title="Webhook please")
    opened = [
        d for d in _deliveries(receiver, "issues") if d["json"]["issue"]["number"] == issue.number
    ]
    assert [d["json"]["action"] for d in opened] == ["opened"]
    assert _signed_by(sandbox.webhook_secrets["github"], opened[0])
    assert opened[0]["json"]["repository"]["full_name"] == REPO


def test_merging_sends_pull_request_closed_with_merged_true(
    gh: github.Github, sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    number = requests.post(
        f"{sandbox.urls['github']}/_sandbox/repos/{REPO}/pulls",
        json={"title": "Fix totals", "head": "fix-totals"},
        timeout=5,
    ).json()["number"]
    gh.get_repo(REPO).get_pull(number).merge()
    closed = [
        d["json"] for d in _deliveries(receiver, "pull_request") if d["json"]["number"] == number
    ]
    assert [(p["action"], p["pull_request"]["merged"]) for p in closed] == [("closed", True)]


def test_comments_and_releases_send_their_webhooks(
    gh: github.Github, receiver: WebhookReceiver
) -> None:
    issue = gh.get_repo(REPO).create_issue(title="Talk to me")
    issue.create_comment("On it")
    gh.get_repo(REPO).create_git_release("v9.9.9", "9.9.9", "notes")
    comments = [d["json"] for d in _deliveries(receiver, "issue_comment")]
    assert any(p["comment"]["body"] == "On it" and p["action"] == "created" for p in comments)
    releases = [d["json"] for d in _deliveries(receiver, "release")]
    assert any(
        p["release"]["tag_name"] == "v9.9.9" and p["action"] == "published" for p in releases
    )


def test_one_edit_sends_one_delivery_per_kind_of_change(
    gh: github.Github, receiver: WebhookReceiver
) -> None:
    issue = gh.get_repo(REPO).create_issue(title="Many changes", labels=["old-label"])
    issue.edit(title="Many changes, renamed", labels=["new-label"], state="closed")
    mine = [
        d["json"]
        for d in _deliveries(receiver, "issues")
        if d["json"]["issue"]["number"] == issue.number
    ]
    assert [(p["action"], p.get("label", {}).get("name")) for p in mine] == [
        ("opened", None),
        ("edited", None),
        ("labeled", "new-label"),
        ("unlabeled", "old-label"),
        ("closed", None),
    ]
    assert mine[1]["changes"] == {"title": {"from": "Many changes"}}
