"""Where each vendor description comes from, and the operations the bridge uses of it.

`python -m sandbox.openapi.trim SOURCE_DIR` cuts the committed copies out of the full
published documents listed here (docs/connectors.md, "Vendor API descriptions"). Each
source's sha256 is checked before anything is written, so a trimmed copy is always traceable
to one published file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    vendor: str
    file: str  # the full document's name inside SOURCE_DIR
    origin: str  # repository or package that publishes it
    path: str
    version: str  # commit or package version
    date: str
    sha256: str
    licence: str
    obtain: str  # the command that brings the full document here


SOURCES = {
    "github": Source(
        vendor="github",
        file="api.github.com.json",
        origin="npm package @octokit/openapi (GitHub's description republished by octokit/openapi)",
        path="generated/api.github.com.json",
        version="23.0.2 (tarball sha256 "
        "71a18407dd5e8464f4e0525daf03deabbe65abd9287d6adc7b5d98f516cd0d0c)",
        date="2025 (info.version 23.0.2)",
        sha256="829b4bebb19a53133289f7b0bc819f4f1118115821db2ca9f25e9ee995a7da2a",
        licence="MIT",
        obtain="npm pack @octokit/openapi@23.0.2 && tar xzf octokit-openapi-23.0.2.tgz && "
        "cp package/generated/api.github.com.json SOURCE_DIR/",
    ),
    "jira": Source(
        vendor="jira",
        file="swagger-v3.v3.json",
        origin="Atlassian's https://developer.atlassian.com/cloud/jira/platform/swagger-v3.v3.json "
        "as vendored unmodified by the GitHub repository jarekbird/jira-api-mcp-wrapper",
        path="swagger-v3.v3.json",
        version="commit 9a9e84dacce9900b0bd4f1f095f5f1bdf3ce0168",
        date="2025-12-25",
        sha256="1f0911c58a45c712ba748f6b2b71bad688a0d28283296e6d24c7b2cc0d304624",
        licence="Apache-2.0 (info.license); Atlassian Developer Terms",
        obtain="git show 9a9e84dacce9900b0bd4f1f095f5f1bdf3ce0168:swagger-v3.v3.json "
        "(in a clone of jarekbird/jira-api-mcp-wrapper) > SOURCE_DIR/swagger-v3.v3.json",
    ),
    "slack": Source(
        vendor="slack",
        file="slack_web_openapi_v2.json",
        origin="GitHub repository slackapi/slack-api-specs",
        path="web-api/slack_web_openapi_v2.json",
        version="commit bc08db49625630e3585bf2f1322128ea04f2a7f3",
        date="2021-09-07 (the repository's last commit; Slack no longer maintains it)",
        sha256="742a5c977180a829df8767cf57bc417d99b3713583aee83741efb9c08ca731e7",
        licence="MIT",
        obtain="git show "
        "bc08db49625630e3585bf2f1322128ea04f2a7f3:web-api/slack_web_openapi_v2.json "
        "(in a clone of slackapi/slack-api-specs) > SOURCE_DIR/slack_web_openapi_v2.json",
    ),
}

# GitHub's own text for the operations Octokit's republication rewrites (github_restored.json).
GITHUB_RESTORED = "github_restored.json"
# GitHub's webhook schemas the sandbox checks its deliveries against (x-webhooks).
GITHUB_WEBHOOKS = (
    "issue-comment-created",
    "issues-assigned",
    "issues-closed",
    "issues-edited",
    "issues-labeled",
    "issues-opened",
    "issues-reopened",
    "issues-unassigned",
    "ping",
    "pull-request-closed",
    "pull-request-opened",
    "push",
    "release-published",
)

GITHUB_OPERATIONS = (
    "GET /",
    "GET /user",
    "GET /app",
    "POST /app/installations/{installation_id}/access_tokens",
    "GET /rate_limit",
    "GET /repos/{owner}/{repo}",
    "GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries",
    "POST /repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts",
    "GET /repos/{owner}/{repo}/issues",
    "POST /repos/{owner}/{repo}/issues",
    "GET /repos/{owner}/{repo}/issues/comments",
    "GET /repos/{owner}/{repo}/issues/comments/{comment_id}",
    "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
    "DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}",
    "GET /repos/{owner}/{repo}/issues/events",
    "GET /repos/{owner}/{repo}/issues/{issue_number}",
    "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
    "POST /repos/{owner}/{repo}/issues/{issue_number}/assignees",
    "DELETE /repos/{owner}/{repo}/issues/{issue_number}/assignees",
    "GET /repos/{owner}/{repo}/issues/{issue_number}/assignees/{assignee}",
    "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
    "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
    "GET /repos/{owner}/{repo}/issues/{issue_number}/labels",
    "POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
    "PUT /repos/{owner}/{repo}/issues/{issue_number}/labels",
    "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels",
    "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
    "GET /repos/{owner}/{repo}/labels",
    "POST /repos/{owner}/{repo}/labels",
    "GET /repos/{owner}/{repo}/labels/{name}",
    "PATCH /repos/{owner}/{repo}/labels/{name}",
    "DELETE /repos/{owner}/{repo}/labels/{name}",
    "GET /repos/{owner}/{repo}/milestones",
    "POST /repos/{owner}/{repo}/milestones",
    "GET /repos/{owner}/{repo}/milestones/{milestone_number}",
    "PATCH /repos/{owner}/{repo}/milestones/{milestone_number}",
    "DELETE /repos/{owner}/{repo}/milestones/{milestone_number}",
    "GET /repos/{owner}/{repo}/milestones/{milestone_number}/labels",
    "GET /repos/{owner}/{repo}/pulls",
    "POST /repos/{owner}/{repo}/pulls",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}",
    "PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/merge",
    "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
    "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
    "DELETE /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
    "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}",
    "PUT /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}",
    "DELETE /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}",
    "GET /repos/{owner}/{repo}/releases",
    "POST /repos/{owner}/{repo}/releases",
    "POST /repos/{owner}/{repo}/releases/generate-notes",
    "GET /repos/{owner}/{repo}/releases/latest",
    "GET /repos/{owner}/{repo}/releases/tags/{tag}",
    "GET /repos/{owner}/{repo}/releases/{release_id}",
    "PATCH /repos/{owner}/{repo}/releases/{release_id}",
    "DELETE /repos/{owner}/{repo}/releases/{release_id}",
    "GET /search/issues",
)

JIRA_OPERATIONS = (
    "GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes",
    "GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}",
    "GET /rest/api/3/project/{projectIdOrKey}",
    "GET /rest/api/3/issuetype",
    "GET /rest/api/3/field",
    "POST /rest/api/3/issue",
    "GET /rest/api/3/issue/{issueIdOrKey}",
    "GET /rest/api/3/issue/{issueIdOrKey}/changelog",
    "PUT /rest/api/3/issue/{issueIdOrKey}",
    "GET /rest/api/3/issue/{issueIdOrKey}/comment",
    "POST /rest/api/3/issue/{issueIdOrKey}/comment",
    "DELETE /rest/api/3/issue/{issueIdOrKey}/comment/{id}",
    "GET /rest/api/3/issue/{issueIdOrKey}/comment/{id}",
    "PUT /rest/api/3/issue/{issueIdOrKey}/comment/{id}",
    "GET /rest/api/3/issue/{issueIdOrKey}/properties",
    "DELETE /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
    "GET /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
    "PUT /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}",
    "DELETE /rest/api/3/issue/{issueIdOrKey}/remotelink",
    "GET /rest/api/3/issue/{issueIdOrKey}/remotelink",
    "POST /rest/api/3/issue/{issueIdOrKey}/remotelink",
    "DELETE /rest/api/3/issue/{issueIdOrKey}/remotelink/{linkId}",
    "GET /rest/api/3/issue/{issueIdOrKey}/remotelink/{linkId}",
    "PUT /rest/api/3/issue/{issueIdOrKey}/remotelink/{linkId}",
    "GET /rest/api/3/issue/{issueIdOrKey}/transitions",
    "POST /rest/api/3/issue/{issueIdOrKey}/transitions",
    "POST /rest/api/3/issueLink",
    "DELETE /rest/api/3/issueLink/{linkId}",
    "GET /rest/api/3/issueLink/{linkId}",
    "GET /rest/api/3/issueLinkType",
    "GET /rest/api/3/issueLinkType/{issueLinkTypeId}",
    "GET /rest/api/3/myself",
    "GET /rest/api/3/project/{projectIdOrKey}/version",
    "GET /rest/api/3/project/{projectIdOrKey}/versions",
    "GET /rest/api/3/search",
    "POST /rest/api/3/search",
    "POST /rest/api/3/search/approximate-count",
    "GET /rest/api/3/search/jql",
    "POST /rest/api/3/search/jql",
    "GET /rest/api/3/serverInfo",
    "POST /rest/api/3/version",
    "DELETE /rest/api/3/version/{id}",
    "GET /rest/api/3/version/{id}",
    "PUT /rest/api/3/version/{id}",
)

SLACK_OPERATIONS = (
    "GET /api.test",
    "GET /conversations.history",
    "POST /conversations.open",
    "GET /conversations.replies",
    "GET /auth.test",
    "POST /chat.postEphemeral",
    "POST /chat.postMessage",
    "POST /chat.update",
    "GET /conversations.info",
    "POST /conversations.join",
    "GET /conversations.list",
    "GET /users.info",
    "GET /users.lookupByEmail",
    "GET /views.open",
    "GET /views.update",
)
