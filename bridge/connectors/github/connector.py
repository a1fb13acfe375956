"""GitHub (github.com or Enterprise) as a Tracker: ARs as issues carrying a hidden marker."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable
from contextlib import ExitStack
from functools import cached_property
from typing import Any, ClassVar, TypeVar

import github
import requests
import structlog
from github import GithubException
from github.Issue import Issue
from github.Repository import Repository

from bridge.config.connectors import GitHubSettings
from bridge.connectors import origin, retry, tracker
from bridge.connectors.errors import translated
from bridge.connectors.github import auth, catchup, issue_catchup, markdown, redelivery
from bridge.connectors.github.addresses import GitHubAddresses
from bridge.connectors.github.errors import translate
from bridge.connectors.github.events import GitHubEvents
from bridge.connectors.github.webhook import RECEIVER
from bridge.connectors.registry import Context
from bridge.services import ports
from bridge.services.ports import ExternalRef, IdempotencyKey, RecordSpec, WaitingList
from bridge.services.receiving import Receiver
from bridge.services.showing.shown import severity_label

log = structlog.get_logger(__name__)
T = TypeVar("T")
SCAN_LIMIT = 300  # newest bridge issues searched for a marker before creating
CLIENT_OPTIONS: dict[str, Any] = {
    "retry": None,  # PyGithub's retries repeat POSTs and create duplicates; ours look first
    "seconds_between_requests": None,
    "seconds_between_writes": None,  # our shared rate budget paces writes instead
    "timeout": 15,
}


class GitHubConnector(GitHubAddresses, tracker.TrackerConnector):
    key = "github"
    title: ClassVar[str] = "GitHub"
    # GitHub allows 80 content-creating requests a minute and 500 an hour, and counts every
    # write (POST, PATCH, PUT, DELETE) against them. Our windows are a second longer than
    # GitHub's, so a slot we reuse has left GitHub's window too if its request arrived within
    # a second of taking the slot; two stay spare.
    budgets: ClassVar[dict[str, str]] = {
        "github:content": "78 per 61 seconds; 498 per 3601 seconds",
        "github:requests": "5000/hour",
    }
    events = GitHubEvents()
    receiver: ClassVar[Receiver | None] = RECEIVER
    features = frozenset({"create_record", "comment", "move_to", "waiting_list", "catch_up"})

    def __init__(self, settings: GitHubSettings, context: Context) -> None:
        self.settings = settings
        self._gate = context.gate
        self._watch = context.credentials
        if settings.as_app:
            self._watch.use(auth.INSTALLATION)
        else:
            self._watch.unknown(self.key)  # a personal access token's expiry is not told
        self._login: str | None = None
        self._own = threading.local()

    @property
    def client(self) -> github.Github:
        """This thread's PyGithub client. One client must not serve several threads: it keeps
        a single connection object whose ``request()`` stores the verb, URL and body that
        ``getresponse()`` sends next, so a worker could send another worker's create (a
        duplicate issue, or a write the content budget never counted)."""
        client: github.Github | None = getattr(self._own, "client", None)
        if client is None:
            client = self._own.client = self._new_client()
        return client

    def _new_client(self) -> github.Github:
        self._own.auth = auth.client_auth(self.settings, self._watch)
        return github.Github(
            base_url=str(self.settings.base_url).rstrip("/"), auth=self._own.auth, **CLIENT_OPTIONS
        )

    @cached_property
    def _looked_up(self) -> Repository:
        """The repository, asked for once (a wrong name or token shows here)."""
        return self.call(lambda: self.client.get_repo(self.settings.repository))

    @property
    def repo(self) -> Repository:
        """The repository through this thread's client, built from the one lookup."""
        repo: Repository | None = getattr(self._own, "repo", None)
        if repo is None:
            found = self._looked_up
            repo = self._own.repo = self.client.create_from_raw_data(
                Repository, found.raw_data, found.raw_headers
            )
        return repo

    @property
    def login(self) -> str:
        """Our account: learnt from the issues we file, or asked for once (an App's is its
        bot account; GitHub refuses ``GET /user`` to an installation)."""
        if self._login is None:
            if self.settings.as_app:
                self._login = self.call(lambda: auth.bot_login(self.settings, **CLIENT_OPTIONS))
            else:
                self._login = str(self.call(lambda: self.client.get_user().login))
        return self._login

    def call(self, fn: Callable[[], T], *, creates: bool = False, writes: bool = False) -> T:
        """``creates``: a new issue or comment (a lost answer is looked up before a repeat);
        ``writes``: an edit. GitHub counts every write against its content limit."""

        def attempt() -> T:
            with ExitStack() as slots:
                slots.enter_context(self._gate.slot("github:requests"))
                if creates or writes:
                    slots.enter_context(self._gate.slot("github:content"))
                vendor_errors = (GithubException, requests.RequestException)
                return translated(
                    lambda: self._renewing_token(fn), vendor_errors, translate, creates=creates
                )

        return retry.call(attempt)

    def _renewing_token(self, fn: Callable[[], T]) -> T:
        """An installation token GitHub calls bad before its expiry is renewed once; a 401
        is refused before anything is done, so repeating even a create is safe."""
        try:
            return fn()
        except GithubException as exc:
            installation = getattr(self._own, "auth", None)
            if exc.status != 401 or not isinstance(installation, auth.RenewableInstallationAuth):
                raise
            log.info("github.installation_token.renewed", status=exc.status)
            installation.spend()
            return fn()

    def ref(self, number: str | int) -> ExternalRef:
        text = str(number).rsplit("#", 1)[-1]
        return ExternalRef(self.key, text, f"{self.settings.repository}#{text}")

    def _as_ref(self, issue: Issue) -> ExternalRef:
        return ExternalRef(
            self.key,
            str(issue.number),
            f"{self.settings.repository}#{issue.number}",
            issue.html_url,
            str(issue.id),
        )

    # -- Tracker ------------------------------------------------------------------------------
    def find_by_key(self, key: IdempotencyKey) -> ExternalRef | None:
        """Our issues carry the bridge label; the newest are scanned for the hidden marker."""

        def scan() -> Issue | None:
            listed = self.repo.get_issues(
                state="all", labels=[origin.BRIDGE_LABEL], sort="created", direction="desc"
            )
            for count, issue in enumerate(listed):
                if count >= SCAN_LIMIT:
                    return None
                if origin.marker_in(issue.body) == key:
                    return issue
            return None

        found = self.call(scan)
        return self._as_ref(found) if found is not None else None

    def create_record(self, spec: RecordSpec, key: IdempotencyKey) -> ExternalRef:
        found = None if key.fresh else self.find_by_key(key)
        if found is not None:
            log.info("github.record.found", issue=found.key)
            return found
        labels = [origin.BRIDGE_LABEL, *self.settings.labels, *spec.labels]
        if spec.severity:
            labels.append(f"severity:{spec.severity}")
        # Looked up before the content slot is taken: GitHub counts the write when it arrives,
        # and a slot held through a slow lookup arrives late into GitHub's next window.
        repo = self.repo
        issue = self.call(
            lambda: repo.create_issue(
                title=markdown.title(spec.summary),
                body=self._body(spec, key),
                labels=list(dict.fromkeys(labels)),
            ),
            creates=True,
        )
        self._login = issue.user.login
        log.info("github.record.created", issue=issue.number, kind=spec.kind)
        return self._as_ref(issue)

    def _body(self, spec: RecordSpec, key: IdempotencyKey) -> str:
        """Our layout; every value from outside (the ticket id, the facts) written inert."""
        lines = [f"**{'SPAR' if spec.kind == 'spar' else 'Action request'} from Support Bridge**"]
        if spec.ticket_url:
            label = markdown.inert(spec.ticket_id) or "ticket"
            lines.append(f"Customer ticket: [{label}]({spec.ticket_url})")
        if spec.link_to:
            lines.append(f"Raised from: {spec.link_to}")
        if spec.severity:
            lines.append(f"Severity: {markdown.inert(severity_label(spec.severity))}")
        lines += [f"- **{name}:** {markdown.inert(value)}" for name, value in spec.facts.items()]
        return markdown.body("\n\n".join(lines), origin.hidden_marker(key))

    def link_back(self, ref: ExternalRef, ticket_url: str, ticket_id: str) -> None:
        """The issue body links the ticket already; nothing else to keep in step."""

    def comment(self, ref: ExternalRef, text: str, key: IdempotencyKey, quote: str = "") -> None:
        issue = self.call(lambda: self.repo.get_issue(int(ref.id)))
        written = not key.fresh and self.call(
            lambda: any(origin.marker_in(c.body) == key for c in issue.get_comments())
        )
        if written:
            return
        body = markdown.comment(text, quote, key)
        self.call(lambda: issue.create_comment(body), creates=True)

    def move_to(self, ref: ExternalRef, status: str) -> None:
        state = {"closed": "closed", "done": "closed", "open": "open", "reopened": "open"}
        wanted = state.get(status.lower())
        if wanted is None:
            msg = f"GitHub issues are only open or closed; cannot move {ref.key} to {status!r}"
            raise ports.PermanentConnectorError(self.key, msg)
        issue = self.call(lambda: self.repo.get_issue(int(ref.id)))
        if issue.state != wanted:
            self.call(lambda: issue.edit(state=wanted), writes=True)

    def upsert_waiting_list(self, ref: ExternalRef, waiting: WaitingList) -> None:
        """One comment on the AR lists the tickets waiting on it, edited in place; it carries
        the hidden marker ``waiting-list:<number>`` and the digest of what it shows."""
        issue = self.call(lambda: self.repo.get_issue(int(ref.id)))
        marker = f"waiting-list:{ref.id}"
        found = self.call(
            lambda: next(
                (c for c in issue.get_comments() if origin.marker_in(c.body) == marker), None
            )
        )
        shown = markdown.SHOWN.search(found.body or "") if found is not None else None
        if shown and (shown["digest"] == waiting.digest or shown["as_of"] > waiting.as_of):
            log.info("github.waiting_list.unchanged", issue=ref.key, digest=waiting.digest)
            return
        body = markdown.waiting_body(waiting, marker)
        if found is None:
            self.call(lambda: issue.create_comment(body), creates=True)
            log.info("github.waiting_list.posted", issue=ref.key)
        else:
            self.call(lambda: found.edit(body), writes=True)
            log.info("github.waiting_list.edited", issue=ref.key, comment=found.id)

    # -- CatchUpSource ------------------------------------------------------------------------
    @property
    def catch_up_scope(self) -> str:
        return self.settings.repository

    def missed_since(
        self, since: dt.datetime, watching: ports.Watching
    ) -> list[ports.MissedEvent] | ports.CutOff:
        """With the bridge's own hook (``hook_id``), GitHub redelivers what failed and nothing
        is listed: the watermark stays until a run sees every delivery arrived. Without, when
        the failures are older than GitHub keeps, when there were more deliveries since than a
        run reads (newest first), or when GitHub cannot reach the bridge, the listings."""
        hook = self.settings.hook_id
        if hook is not None and since >= dt.datetime.now(dt.UTC) - redelivery.REDELIVERY_WINDOW:
            write = functools.partial(self.call, writes=True)
            outcome = redelivery.redeliver_failed(self.repo, self.call, write, hook, since)
            if outcome is redelivery.Outcome.NOTHING_MISSED:
                return []
            if outcome is redelivery.Outcome.ASKED:
                return ports.CutOff(events=[], read_until=since, awaiting=outcome.value)
        found = catchup.Found()
        catchup.missed_since(self.repo, self.call, since, found)
        issue_catchup.missed_on_issues(self.repo, self.call, since, watching.ars, found)
        return found.answer()

    def check(self) -> ports.CheckResult:
        try:
            name = self.call(lambda: self.repo.full_name)
        except ports.ConnectorError as exc:
            return ports.CheckResult(
                False, str(exc), f"check connectors.github {self._secrets} and repository"
            )
        hook = self.settings.hook_id
        if hook is not None:
            url = f"{self.repo.url}/hooks/{hook}/deliveries"
            try:
                self.call(lambda: self.repo.requester.requestJsonAndCheck("GET", url))
            except ports.ConnectorError as exc:
                fix = "grant the Webhooks permission (read and write), or unset hook_id"
                return ports.CheckResult(False, f"hook {hook} deliveries: {exc.detail}", fix)
        return ports.CheckResult(True, f"repository {name} readable with these credentials")

    @property
    def _secrets(self) -> str:
        if self.settings.as_app:
            return "app_id, installation_id, private_key (the App installed on the repository)"
        return "token"

    def is_own_write(self, event: dict[str, Any]) -> bool:
        """Comments we post carry our hidden marker; other changes are ours when we sent them."""
        comment = event.get("comment")
        if comment is not None:
            return origin.marker_in(comment.get("body")) is not None
        return (event.get("sender") or {}).get("login") == self.login
