"""GitLab (gitlab.com or self-managed) as a Tracker: SPARs and ARs as issues of one project,
carrying labels and a hidden marker, through python-gitlab with a project access token."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from functools import cached_property
from typing import Any, ClassVar, Self, TypeVar

import gitlab
import requests
import structlog
from gitlab import GitlabError
from gitlab.v4.objects import Project, ProjectIssue

from bridge.connectors import origin, retry, tracker
from bridge.connectors.errors import uncertain_if_sent
from bridge.connectors.gitlab import catchup, markdown
from bridge.connectors.gitlab.addresses import GitLabAddresses, settings_of
from bridge.connectors.gitlab.errors import translate
from bridge.connectors.gitlab.events import GitLabEvents
from bridge.connectors.gitlab.settings import GitLabSettings
from bridge.connectors.gitlab.token import SELF_PATH, TokenExpiry
from bridge.connectors.gitlab.webhook import RECEIVER
from bridge.connectors.registry import Context
from bridge.services import ports
from bridge.services.ports import ExternalRef, IdempotencyKey, RecordSpec, WaitingList
from bridge.services.receiving import Receiver
from bridge.services.showing.shown import severity_label

log = structlog.get_logger(__name__)
T = TypeVar("T")
SCAN_LIMIT = 300  # newest bridge issues searched for a marker before creating
LINK_TYPE = "relates_to"  # the one issue link type of every GitLab tier
REQUESTS, ISSUES, NOTES = "gitlab:requests", "gitlab:issues", "gitlab:notes"


class _Client(gitlab.Gitlab):
    """python-gitlab, never waiting on a 429 nor repeating a request itself: our rate budget
    paces the calls, and a repeat of a create is decided by looking first. The headers of the
    last answer are kept, since python-gitlab's errors do not carry them (a Retry-After)."""

    def __init__(self, url: str, token: str) -> None:
        session = requests.Session()
        session.hooks["response"].append(self._remember)
        super().__init__(url, private_token=token, timeout=15, session=session, per_page=100)
        self.last_headers: Mapping[str, str] = {}

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_headers = response.headers

    def http_request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs |= {"obey_rate_limit": False, "retry_transient_errors": False, "max_retries": 0}
        return super().http_request(*args, **kwargs)


class GitLabConnector(GitLabAddresses, tracker.TrackerConnector):
    key = "gitlab"
    title: ClassVar[str] = "GitLab"
    settings_model: ClassVar[type[GitLabSettings]] = GitLabSettings
    # GitLab.com's documented limits per user: 2,000 authenticated API requests a minute,
    # 200 issues and 60 notes created a minute. Our windows are a second longer, two spare.
    budgets: ClassVar[dict[str, str]] = {
        REQUESTS: "1998 per 61 seconds",
        ISSUES: "198 per 61 seconds",
        NOTES: "58 per 61 seconds",
    }
    events = GitLabEvents()
    receiver: ClassVar[Receiver | None] = RECEIVER
    features = frozenset({"create_record", "comment", "move_to", "waiting_list", "catch_up"})

    def __init__(self, settings: GitLabSettings, context: Context) -> None:
        self.settings = settings
        self._gate = context.gate
        self._token_expiry = TokenExpiry(context.credentials)
        self._own = threading.local()
        self._username: str | None = None

    @classmethod
    def from_settings(cls, config: Any, context: Context) -> Self:
        """``connectors.gitlab``, validated by ``settings_model`` when bridge.yaml is read."""
        return cls(settings_of(config), context)

    @property
    def client(self) -> _Client:
        """This thread's client: a requests session is not shared between threads."""
        client: _Client | None = getattr(self._own, "client", None)
        if client is None:
            token = self.settings.token.get_secret_value()
            client = self._own.client = _Client(self.settings.base_url, token)
        return client

    @cached_property
    def _project_id(self) -> int:
        """The project's numeric id, asked for once (a wrong path or token shows here)."""
        found = self.call(lambda: self.client.projects.get(self.settings.project))
        return int(found.id)

    @property
    def project(self) -> Project:
        """The project through this thread's client, without asking for it again."""
        return self.client.projects.get(self._project_id, lazy=True)

    @property
    def username(self) -> str:
        """Our account: the project access token's bot user, asked for once."""
        if self._username is None:

            def who() -> str:
                self.client.auth()
                return str(self.client.user.username) if self.client.user else ""

            self._username = self.call(who)
        return self._username

    def call(self, fn: Callable[[], T], *, creates: str = "") -> T:
        """``creates``: the budget of a create (issues, notes); a lost answer is then looked up
        before a repeat, never repeated blindly. The token's expiry is read first when due."""
        self._token_expiry.read_if_due(self._token_answer)

        def attempt() -> T:
            with ExitStack() as slots:
                slots.enter_context(self._gate.slot(REQUESTS))
                if creates:
                    slots.enter_context(self._gate.slot(creates))
                try:
                    return fn()
                except (GitlabError, requests.RequestException) as exc:
                    error = translate(exc, self.client.last_headers)
                    raise (uncertain_if_sent(error) if creates else error) from exc

        return retry.call(attempt)

    def _token_answer(self) -> Any:
        with self._gate.slot(REQUESTS):
            return self.client.http_get(SELF_PATH)

    def ref(self, reference: str | int) -> ExternalRef:
        iid = str(reference).rsplit("#", 1)[-1]
        return ExternalRef(self.key, iid, f"{self.settings.project}#{iid}")

    def _as_ref(self, issue: ProjectIssue) -> ExternalRef:
        key = f"{self.settings.project}#{issue.iid}"
        return ExternalRef(self.key, str(issue.iid), key, str(issue.web_url), str(issue.id))

    def _issue(self, ref: ExternalRef) -> ProjectIssue:
        return self.call(lambda: self.project.issues.get(int(ref.id)))

    # -- Tracker ------------------------------------------------------------------------------
    def find_by_key(self, key: IdempotencyKey) -> ExternalRef | None:
        """Our issues carry the bridge label; the newest are scanned for the hidden marker."""

        def scan() -> ProjectIssue | None:
            listed = self.project.issues.list(
                labels=[origin.BRIDGE_LABEL], order_by="created_at", sort="desc", iterator=True
            )
            for count, issue in enumerate(listed):
                if count >= SCAN_LIMIT:
                    return None
                if origin.marker_in(issue.description) == key:
                    return issue
            return None

        found = self.call(scan)
        return self._as_ref(found) if found is not None else None

    def create_record(self, spec: RecordSpec, key: IdempotencyKey) -> ExternalRef:
        found = None if key.fresh else self.find_by_key(key)
        if found is None:
            labels = [origin.BRIDGE_LABEL, *self.settings.labels_for(spec.kind), *spec.labels]
            if spec.severity:
                labels.append(self.settings.severity_label.format(severity=spec.severity))
            data = {
                "title": markdown.title(spec.summary),
                "description": self._description(spec, key),
                "labels": ",".join(dict.fromkeys(label.replace(",", " ") for label in labels)),
            }
            project = self.project
            issue = self.call(lambda: project.issues.create(data), creates=ISSUES)
            self._username = str(issue.author["username"])
            found = self._as_ref(issue)
            log.info("gitlab.record.created", issue=found.key, kind=spec.kind)
        if spec.link_to:
            self._link(found, self.ref(spec.link_to))
        return found

    def _link(self, ar: ExternalRef, spar: ExternalRef) -> None:
        """The AR linked to its SPAR ("relates to"), once: GitLab refuses a second link of the
        same two issues with 409, which means it is there."""
        issue = self._issue(ar)
        linked = self.call(lambda: [str(other.iid) for other in issue.links.list(get_all=True)])
        if spar.id in linked:
            return
        data = {"target_project_id": self._project_id, "target_issue_iid": int(spar.id)}
        try:
            self.call(lambda: issue.links.create(data | {"link_type": LINK_TYPE}))
        except ports.PermanentConnectorError as exc:
            if "409" not in exc.detail:
                raise

    def _description(self, spec: RecordSpec, key: IdempotencyKey) -> str:
        """Our layout; every value from outside (the ticket id, the facts) written inert."""
        lines = [f"**{'SPAR' if spec.kind == 'spar' else 'Action request'} from Support Bridge**"]
        if spec.ticket_url and tracker.page_link(spec.ticket_url):
            label = markdown.inert(spec.ticket_id) or "ticket"
            lines.append(f"Customer ticket: [{label}]({spec.ticket_url})")
        if spec.link_to:
            lines.append(f"Raised from: {markdown.inert(spec.link_to)}")
        if spec.severity:
            lines.append(f"Severity: {markdown.inert(severity_label(spec.severity))}")
        lines += [f"- **{name}:** {markdown.inert(value)}" for name, value in spec.facts.items()]
        return markdown.body("\n\n".join(lines), origin.hidden_marker(key))

    def link_back(self, ref: ExternalRef, ticket_url: str, ticket_id: str) -> None:
        """The issue's description links the ticket already; nothing else to keep in step."""

    def comment(self, ref: ExternalRef, text: str, key: IdempotencyKey, quote: str = "") -> None:
        issue = self._issue(ref)
        written = not key.fresh and self.call(
            lambda: any(origin.marker_in(n.body) == key for n in issue.notes.list(iterator=True))
        )
        if not written:
            body = markdown.comment(text, quote, key)
            self.call(lambda: issue.notes.create({"body": body}), creates=NOTES)

    def move_to(self, ref: ExternalRef, status: str) -> None:
        events = {"closed": "close", "done": "close", "open": "reopen", "reopened": "reopen"}
        wanted = events.get(status.lower())
        if wanted is None:
            msg = f"GitLab issues are only open or closed; cannot move {ref.key} to {status!r}"
            raise ports.PermanentConnectorError(self.key, msg)
        issue = self._issue(ref)
        if issue.state != ("closed" if wanted == "close" else "opened"):
            issue.state_event = wanted
            self.call(issue.save)

    def upsert_waiting_list(self, ref: ExternalRef, waiting: WaitingList) -> None:
        """One note on the AR lists the tickets waiting on it, edited in place; it carries the
        hidden marker ``waiting-list:<iid>`` and the digest of what it shows."""
        issue = self._issue(ref)
        marker = f"waiting-list:{ref.id}"
        found = self.call(
            lambda: next(
                (n for n in issue.notes.list(iterator=True) if origin.marker_in(n.body) == marker),
                None,
            )
        )
        shown = markdown.SHOWN.search(found.body or "") if found is not None else None
        if shown and (shown["digest"] == waiting.digest or shown["as_of"] > waiting.as_of):
            log.info("gitlab.waiting_list.unchanged", issue=ref.key, digest=waiting.digest)
            return
        body = markdown.waiting_body(waiting, marker)
        if found is None:
            self.call(lambda: issue.notes.create({"body": body}), creates=NOTES)
            log.info("gitlab.waiting_list.posted", issue=ref.key)
        else:
            found.body = body
            self.call(found.save)
            log.info("gitlab.waiting_list.edited", issue=ref.key, note=found.id)

    # -- CatchUpSource ------------------------------------------------------------------------
    @property
    def catch_up_scope(self) -> str:
        return self.settings.project

    def missed_since(
        self, since: dt.datetime, watching: ports.Watching
    ) -> list[ports.MissedEvent] | ports.CutOff:
        """Releases and merges since, and what happened on the ARs the bridge waits on."""
        project = self.project
        return catchup.missed_since(project, self.call, since, watching.ars, self.settings.project)

    def check(self) -> ports.CheckResult:
        try:
            found = self.call(lambda: self.client.projects.get(self.settings.project))
        except ports.ConnectorError as exc:
            return ports.CheckResult(
                False, str(exc), "check connectors.gitlab url, project and token (scope api)"
            )
        return ports.CheckResult(
            True, f"project {found.path_with_namespace} readable with this token"
        )

    def is_own_write(self, event: dict[str, Any]) -> bool:
        """Notes we write carry our hidden marker; other changes are ours when our token's
        user made them."""
        attributes = event.get("object_attributes")
        if event.get("object_kind") == "note" and isinstance(attributes, dict):
            return origin.marker_in(attributes.get("note")) is not None
        user = event.get("user")
        return isinstance(user, dict) and user.get("username") == self.username
