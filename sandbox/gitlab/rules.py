"""The operations of GitLab's REST API v4 the sandbox serves, and the rules GitLab's API
reference gives for their parameters, checked in code.

GitLab publishes an OpenAPI 2 document (``doc/api/openapi/openapi_v2.yaml``), but it was out of
reach here (docs/gitlab.md says so); the operations below are named by their operation ids in
that document, and a request to any other path or method is refused with GitLab's
``404 Not Found`` and recorded as a violation, as the other vendors' strict contracts do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Request

API = "/api/v4"
TITLE_LIMIT = 255
DESCRIPTION_LIMIT = 1_048_576  # characters in an issue or merge request description
NOTE_LIMIT = 1_000_000  # characters in a comment (note)
PER_PAGE_LIMIT = 100
LINK_TYPES = ("relates_to", "blocks", "is_blocked_by")
STATE_EVENTS = ("close", "reopen")
ISSUE_STATES = ("opened", "closed", "all")
MR_STATES = ("opened", "closed", "locked", "merged", "all")
SORTS = ("asc", "desc")
MR_ORDERS = ("created_at", "updated_at", "merged_at", "title", "label_priority", "priority")
ORDERS = ("created_at", "updated_at", "priority", "due_date", "relative_position", "title")
HOOK_EVENTS = (
    "issues_events",
    "note_events",
    "merge_requests_events",
    "releases_events",
    "confidential_issues_events",
    "confidential_note_events",
    "push_events",
)

Check = Callable[[dict[str, Any]], list[str]]


def _required(*names: str) -> Check:
    return lambda params: [f"{name} is missing" for name in names if params.get(name) in (None, "")]


def _within(name: str, limit: int) -> Check:
    def check(params: dict[str, Any]) -> list[str]:
        value = params.get(name)
        too_long = isinstance(value, str) and len(value) > limit
        return [f"{name} is too long (maximum is {limit} characters)"] if too_long else []

    return check


def _one_of(name: str, allowed: tuple[str, ...]) -> Check:
    def check(params: dict[str, Any]) -> list[str]:
        value = params.get(name)
        bad = value is not None and str(value) not in allowed
        return [f"{name} does not have a valid value"] if bad else []

    return check


def _strings(*names: str) -> Check:
    """Labels go as one comma-separated string (or an array); never a number or an object."""

    def check(params: dict[str, Any]) -> list[str]:
        return [
            f"{name} is invalid"
            for name in names
            if name in params and not isinstance(params[name], str | list)
        ]

    return check


def _paged(params: dict[str, Any]) -> list[str]:
    problems = []
    for name, lowest in (("per_page", 1), ("page", 1)):
        value = params.get(name)
        if value is None:
            continue
        if not str(value).isdigit() or int(value) < lowest:
            problems.append(f"{name} is invalid")
        elif name == "per_page" and int(value) > PER_PAGE_LIMIT:
            problems.append(f"per_page does not have a valid value (at most {PER_PAGE_LIMIT})")
    return problems


def _edits_something(params: dict[str, Any]) -> list[str]:
    editable = {"title", "description", "labels", "add_labels", "remove_labels", "state_event"}
    if editable & set(params):
        return []
    return [f"{', '.join(sorted(editable))} are missing, at least one parameter must be provided"]


@dataclass(frozen=True)
class Described:
    method: str
    template: str
    operation_id: str
    checks: tuple[Check, ...] = ()

    @property
    def pattern(self) -> re.Pattern[str]:
        parts = re.split(r"(\{[^}]+\})", self.template)
        body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
        return re.compile(f"^{body}$")


P = f"{API}/projects/{{id}}"
ISSUE = f"{P}/issues/{{issue_iid}}"
OPERATIONS = (
    Described("GET", f"{API}/user", "getApiV4User"),
    # GitLab 15.5+: the token the request carries (personal, project or group access token).
    Described("GET", f"{API}/personal_access_tokens/self", "getApiV4PersonalAccessTokensSelf"),
    Described("GET", P, "getApiV4ProjectsId"),
    Described(
        "GET",
        f"{P}/issues",
        "getApiV4ProjectsIdIssues",
        (
            _paged,
            _one_of("state", ISSUE_STATES),
            _one_of("order_by", ORDERS),
            _one_of("sort", SORTS),
        ),
    ),
    Described(
        "POST",
        f"{P}/issues",
        "postApiV4ProjectsIdIssues",
        (
            _required("title"),
            _within("title", TITLE_LIMIT),
            _within("description", DESCRIPTION_LIMIT),
            _strings("labels"),
        ),
    ),
    Described("GET", ISSUE, "getApiV4ProjectsIdIssuesIssueIid"),
    Described(
        "PUT",
        ISSUE,
        "putApiV4ProjectsIdIssuesIssueIid",
        (
            _edits_something,
            _one_of("state_event", STATE_EVENTS),
            _within("title", TITLE_LIMIT),
            _within("description", DESCRIPTION_LIMIT),
            _strings("labels", "add_labels", "remove_labels"),
        ),
    ),
    Described(
        "GET",
        f"{ISSUE}/notes",
        "getApiV4ProjectsIdIssuesNoteableIdNotes",
        (_paged, _one_of("order_by", ("created_at", "updated_at")), _one_of("sort", SORTS)),
    ),
    Described(
        "POST",
        f"{ISSUE}/notes",
        "postApiV4ProjectsIdIssuesNoteableIdNotes",
        (_required("body"), _within("body", NOTE_LIMIT)),
    ),
    Described("GET", f"{ISSUE}/notes/{{note_id}}", "getApiV4ProjectsIdIssuesNoteableIdNotesNoteId"),
    Described(
        "PUT",
        f"{ISSUE}/notes/{{note_id}}",
        "putApiV4ProjectsIdIssuesNoteableIdNotesNoteId",
        (_required("body"), _within("body", NOTE_LIMIT)),
    ),
    Described("GET", f"{ISSUE}/links", "getApiV4ProjectsIdIssuesIssueIidLinks"),
    Described(
        "POST",
        f"{ISSUE}/links",
        "postApiV4ProjectsIdIssuesIssueIidLinks",
        (_required("target_project_id", "target_issue_iid"), _one_of("link_type", LINK_TYPES)),
    ),
    Described(
        "GET",
        f"{P}/merge_requests",
        "getApiV4ProjectsIdMergeRequests",
        (
            _paged,
            _one_of("state", MR_STATES),
            _one_of("order_by", MR_ORDERS),
            _one_of("sort", SORTS),
        ),
    ),
    Described(
        "GET", f"{P}/merge_requests/{{merge_request_iid}}", "getApiV4ProjectsIdMergeRequestsIid"
    ),
    Described(
        "GET",
        f"{P}/releases",
        "getApiV4ProjectsIdReleases",
        (_paged, _one_of("order_by", ("released_at", "created_at")), _one_of("sort", SORTS)),
    ),
    Described("GET", f"{P}/releases/{{tag_name}}", "getApiV4ProjectsIdReleasesTagName"),
    Described("GET", f"{P}/hooks", "getApiV4ProjectsIdHooks", (_paged,)),
    Described("POST", f"{P}/hooks", "postApiV4ProjectsIdHooks", (_required("url"),)),
)


def raw_path(req: Request) -> str:
    """The path as sent, still encoded: GitLab takes a project's path as one URL-encoded
    segment (``acme%2Fwidgets``), which the decoded path no longer shows."""
    raw = str(req.environ.get("REQUEST_URI") or req.environ.get("RAW_URI") or req.path)
    return raw.split("?", 1)[0]


def described(method: str, path: str) -> Described | None:
    return next((d for d in OPERATIONS if d.method == method and d.pattern.match(path)), None)


def template_of(req: Request) -> str | None:
    path = raw_path(req)
    return next((d.template for d in OPERATIONS if d.pattern.match(path)), None)


def params_of(req: Request) -> dict[str, Any]:
    """Query, form and JSON parameters together, as Grape (GitLab's API framework) reads them."""
    params: dict[str, Any] = dict(req.args.items()) | dict(req.form.items())
    body = req.get_json(silent=True) if req.is_json else None
    return params | (body if isinstance(body, dict) else {})


def problems(req: Request) -> list[str]:
    """What GitLab would refuse in this request, [] when it would serve it."""
    found = described(req.method, raw_path(req))
    if found is None:
        return [
            f"{req.method} {raw_path(req)} is not an operation of GitLab's REST API v4 the "
            "sandbox serves (unknown path or method; a project is named by its id or its "
            "URL-encoded path, group%2Fproject)"
        ]
    params = params_of(req)
    return [problem for check in found.checks for problem in check(params)]
