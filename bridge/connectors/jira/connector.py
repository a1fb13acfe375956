"""Jira (Cloud or Data Center) as a Tracker: SPARs and ARs, links, comments and status moves."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import cached_property
from typing import Any, ClassVar, TypeVar

import jira
import requests
import structlog
from jira.exceptions import JIRAError

from bridge.connectors import origin, retry, tracker
from bridge.connectors.errors import translated
from bridge.connectors.jira import createmeta, markup, setup_check, site
from bridge.connectors.jira.addresses import JiraAddresses
from bridge.connectors.jira.catchup import VersionCatchUp
from bridge.connectors.jira.errors import translate
from bridge.connectors.jira.events import JiraEvents
from bridge.connectors.jira.issue_links import IssueLinks
from bridge.connectors.jira.settings import JiraSettings
from bridge.connectors.jira.transitions import MAX_HOPS, next_hop, no_path
from bridge.connectors.jira.waiting import WaitingListComment
from bridge.connectors.jira.webhook import RECEIVER
from bridge.connectors.registry import Context
from bridge.services.ports import (
    CheckResult,
    ConnectorError,
    ExternalRef,
    IdempotencyKey,
    PermanentConnectorError,
    RecordSpec,
    TransientConnectorError,
    UncertainOutcome,
)
from bridge.services.receiving import Receiver

log = structlog.get_logger(__name__)
T = TypeVar("T")
RECONCILE_LIMIT = 50  # issue ids one Jira Cloud search may reconcile
INDEX_SETTLE_SECONDS = 30  # the least wait before a Cloud create's look-before-act search


class JiraConnector(
    JiraAddresses, IssueLinks, WaitingListComment, VersionCatchUp, tracker.TrackerConnector
):
    key = "jira"
    title: ClassVar[str] = "Jira"
    settings_model: ClassVar[type[JiraSettings]] = JiraSettings
    budgets: ClassVar[dict[str, str]] = {"jira:requests": "10/second"}
    events = JiraEvents()
    receiver: ClassVar[Receiver | None] = RECEIVER
    features = frozenset(
        {
            "create_record",
            "comment",
            "move_to",
            "remote_link",
            "issue_link",
            "entity_property",
            "waiting_list",
            "catch_up",
        }
    )

    def __init__(self, settings: JiraSettings, context: Context) -> None:
        self.settings = settings
        self._gate = context.gate
        token = site.token_status(settings)
        if token is None:
            context.credentials.unknown(self.key)
        else:
            context.credentials.use(token)
        self._required: dict[tuple[str, str], dict[str, str]] = {}
        # Ids of the issues this process created, newest last: Jira Cloud's search index lags
        # behind a create, and a search that names an issue in reconcileIssues sees it at once.
        self._created: deque[int] = deque(maxlen=RECONCILE_LIMIT)
        self._field_names_known = False

    @cached_property
    def client(self) -> jira.JIRA:
        # Each HTTP request takes a slot of Jira's budget, not each library call.
        return site.client_for(self.settings, lambda: self._gate.slot("jira:requests"))

    def know_field_names(self) -> None:
        """Before its first search the ``jira`` library asks for the site's fields (``GET
        field``, to translate field names), a request outside any budget that lands an eleventh
        in Jira's second: asked here once, through the budget."""
        if not self._field_names_known:
            self.call(lambda: self.client._fields_cache)
            self._field_names_known = True

    def call(self, fn: Callable[[], T], *, creates: bool = False) -> T:
        def attempt() -> T:
            vendor_errors = (JIRAError, requests.RequestException)
            return translated(fn, vendor_errors, translate, creates=creates)

        return retry.call(attempt)

    @cached_property
    def account_id(self) -> str:
        me = self.call(lambda: self.client.myself())
        return str(me.get("accountId") or me.get("key") or me.get("name"))

    # -- the outbox's operations ------------------------------------------------------------
    def ref(self, issue_key: str, issue_id: str = "") -> ExternalRef:
        url = f"{str(self.settings.url).rstrip('/')}/browse/{issue_key}"
        return ExternalRef(self.key, issue_key, issue_key, url, issue_id)

    # -- Tracker ------------------------------------------------------------------------------
    def find_by_key(self, key: IdempotencyKey) -> ExternalRef | None:
        jql = f'labels = "{origin.key_label(key)}"'
        self.know_field_names()
        if self.settings.deployment == "cloud":
            reconcile = list(self._created)
            found = self.call(
                lambda: self.client.enhanced_search_issues(
                    jql, maxResults=2, fields="summary", reconcileIssues=reconcile
                )
            )
        else:
            found = self.call(
                lambda: self.client.search_issues(jql, maxResults=2, fields="summary")
            )
        return self.ref(found[0].key, str(found[0].id)) if found else None

    def create_record(self, spec: RecordSpec, key: IdempotencyKey) -> ExternalRef:
        project, issue_type = self._placement(spec.kind)
        ref = None if key.fresh else self.find_by_key(key)
        if ref is not None:
            log.info("jira.record.found", issue=ref.key, kind=spec.kind)
            self._complete(ref, spec, key)
            return ref
        self._check_required(project, issue_type, spec)
        fields = self._fields(spec, key, project, issue_type)
        try:
            created = self.call(
                lambda: self.client.create_issue(fields=fields, prefetch=False), creates=True
            )
            self._created.append(int(created.id))
            ref = self.ref(created.key, str(created.id))
            log.info("jira.record.created", issue=ref.key, kind=spec.kind)
            self._complete(ref, spec, key)
        except TransientConnectorError as error:
            if self.settings.deployment != "cloud" or not (
                ref or isinstance(error, UncertainOutcome)
            ):
                raise
            # The issue may exist, and the next attempt's search can name it in reconcileIssues
            # only if it runs in this worker and the create's answer arrived: that attempt
            # waits until Jira Cloud's index lists the issue anyway.
            wait = max(error.retry_after or 0, INDEX_SETTLE_SECONDS)
            raise type(error)(
                self.key, error.detail, wait, rate_limited=error.rate_limited
            ) from error
        return ref

    def _complete(self, ref: ExternalRef, spec: RecordSpec, key: IdempotencyKey) -> None:
        """The steps after creation; each is an upsert, so a replay repeats them harmlessly."""
        mark = {"key": key, "record": spec.record_id}
        self.call(lambda: self.client.add_issue_property(ref.key, origin.PROPERTY_KEY, mark))
        if spec.ticket_url:
            self.link_back(ref, spec.ticket_url, spec.ticket_id)
        if spec.link_to:
            self.link_issues(ref, spec.link_to)

    def link_back(self, ref: ExternalRef, ticket_url: str, ticket_id: str) -> None:
        destination = {"url": ticket_url, "title": f"Customer ticket {ticket_id or ticket_url}"}
        self.call(
            lambda: self.client.add_remote_link(
                ref.key,
                destination,
                globalId=f"support-bridge:ticket:{ticket_id or ticket_url}",
                application={"type": "support-bridge", "name": "Support Bridge"},
                relationship="customer ticket",
            )
        )

    def comment(self, ref: ExternalRef, text: str, key: IdempotencyKey, quote: str = "") -> None:
        body = markup.comment(text, self.settings.description_format == "adf", quote)
        if not key.fresh:
            existing = self.call(lambda: self.client.comments(ref.key))
            # The raw body: the library turns an ADF document into an object that never
            # compares equal to the dict we sent.
            if any((getattr(c, "raw", None) or {}).get("body") == body for c in existing):
                return  # written before a crash took our record of it
        self.call(lambda: self.client.add_comment(ref.key, body, is_internal=True), creates=True)

    def move_to(self, ref: ExternalRef, status: str, resolution: str = "Done") -> None:
        visited: set[str] = set()
        seen: list[str] = []
        start = current = self._status(ref)
        for _ in range(MAX_HOPS + 1):
            if current.lower() == status.lower():
                return
            visited.add(current.lower())
            options = self.call(
                lambda: self.client.transitions(ref.key, expand="transitions.fields")
            )
            seen += [str((t.get("to") or {}).get("name")) for t in options]
            hop = next_hop(options, status, visited, resolution)
            if hop is None:
                break
            self.call(
                lambda hop=hop: self.client.transition_issue(
                    ref.key, hop.transition_id, fields=hop.fields or None
                ),
                creates=True,
            )
            log.info("jira.transition.applied", issue=ref.key, to=hop.to)
            current = self._status(ref)
        raise no_path(ref.key, start, status, seen)

    def _status(self, ref: ExternalRef) -> str:
        issue = self.call(lambda: self.client.issue(ref.key, fields="status"))
        return str(issue.fields.status.name)

    # -- creation details ---------------------------------------------------------------------
    def _placement(self, kind: str) -> tuple[str, str]:
        s = self.settings
        if kind == "spar":
            return s.support_project, s.spar_issue_type
        return s.development_project, s.ar_issue_type

    def _fields(
        self, spec: RecordSpec, key: IdempotencyKey, project: str, issue_type: str
    ) -> dict[str, Any]:
        describe = markup.adf if self.settings.description_format == "adf" else markup.wiki
        labels = [origin.BRIDGE_LABEL, origin.key_label(key), *self.settings.labels, *spec.labels]
        return {
            "project": {"key": project},
            "issuetype": {"name": issue_type},
            "summary": markup.summary(spec.summary),
            "description": describe(spec),
            "labels": list(dict.fromkeys(label.replace(" ", "-") for label in labels)),
            **spec.fields,
        }

    def _check_required(self, project: str, issue_type: str, spec: RecordSpec) -> None:
        required = self._required.get((project, issue_type))
        if required is None:
            types = self.call(lambda: createmeta.issue_types(self.client, project))
            type_id = createmeta.issue_type_id(types, project, issue_type)
            screen = self.call(lambda: createmeta.fields(self.client, project, type_id))
            required = createmeta.required_fields_of(screen)
            self._required[(project, issue_type)] = required
        missing = [f"{name} ({fid})" for fid, name in required.items() if fid not in spec.fields]
        if missing:
            msg = (
                f"{project} {issue_type} requires field {', '.join(missing)}; add it to the "
                "Jira field mapping in bridge.yaml"
            )
            raise PermanentConnectorError(self.key, msg)

    # -- operations ---------------------------------------------------------------------------
    def check(self) -> CheckResult:
        try:
            me = self.call(lambda: self.client.myself())
        except ConnectorError as exc:
            return CheckResult(False, str(exc), "check connectors.jira url and credentials")
        who = f"signed in as {me.get('displayName', 'the bridge account')}"
        wrong = setup_check.project_problems(self.client, self.settings, self.call)
        if wrong:
            problems, fixes = zip(*wrong, strict=True)
            return CheckResult(False, f"{who}; " + "; ".join(problems), "; ".join(fixes))
        names = self._link_type_names()
        if names and self.settings.link_type not in names:
            detail = (
                f"{who}; no issue link type {self.settings.link_type!r} on this site, so an AR "
                "is linked to its SPAR with a remote link"
            )
            return CheckResult(
                True, detail, f"set connectors.jira.link_type to one of: {', '.join(names)}"
            )
        return CheckResult(True, who)

    def field_problems(self, wanted: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """(problem, fix) for each (key path, field id) of bridge.yaml naming no Jira field."""
        return setup_check.unknown_fields(self.client, wanted, self.call)

    def is_own_write(self, event: dict[str, Any]) -> bool:
        """True for webhooks caused by our writes: issues we created, comments we posted."""
        name = event.get("webhookEvent", "")
        if name == "jira:issue_created":
            labels = (event.get("issue") or {}).get("fields", {}).get("labels") or []
            return any(str(label).startswith("sb-") for label in labels)
        if name.startswith("comment_"):
            body = (event.get("comment") or {}).get("body")
            return markup.COMMENT_SIGNATURE in markup.plain_text(body)
        return str((event.get("user") or {}).get("accountId", "")) == self.account_id
