"""What Jira's webhooks would have told since a time: the linked ARs' changes and comments
(``issue_catchup``), and versions of the development project released. Jira gives a release a
date, not a time: a version released on the watermark's day is listed again on that day's
runs, and the inbox's content key drops the repeats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from bridge.connectors.jira.issue_catchup import FIELDS, missed_on_issues
from bridge.services.ports import MissedEvent, Watching


class VersionCatchUp:
    """Part of ``JiraConnector`` (``catch_up``): it provides ``call``, ``client`` and
    ``settings``; one watermark covers the development project."""

    call: Any
    client: Any
    settings: Any
    _created: Any

    @property
    def catch_up_scope(self) -> str:
        return str(self.settings.development_project)

    def missed_since(self, since: dt.datetime, watching: Watching) -> list[MissedEvent]:
        return [event for part in self.missed_in_parts(since, watching) for event in part]

    def missed_in_parts(
        self, since: dt.datetime, watching: Watching
    ) -> Iterator[list[MissedEvent]]:
        """The ARs' changes, then the released versions: catch-up stores the first part while
        the budget holds the versions' request back (1,000 ARs: the eleventh in Jira's second)."""
        now = dt.datetime.now(dt.UTC)
        cloud = self.settings.deployment == "cloud"  # Data Center has no paged changelog
        history = self._changelog_page if cloud else None
        yield missed_on_issues(self._search_changed, watching.ars, since, now, history)
        project = self.settings.development_project
        versions = self.call(lambda: self.client.project_versions(project))
        yield released_since([version.raw for version in versions], since)

    def _changelog_page(self, key: str, start: int, size: int) -> dict[str, Any]:
        params = {"startAt": start, "maxResults": size}
        answer: dict[str, Any] = self.call(
            lambda: self.client._get_json(f"issue/{key}/changelog", params=params)
        )
        return answer

    def _search_changed(self, jql: str, keys: Any, size: int) -> list[dict[str, Any]]:
        """One search, one request from the budget per page of its answer; an AR this process
        just filed is named in ``reconcileIssues`` (Jira Cloud's index lags behind a create).
        Sent as the ``jira`` library sends a search for JSON, less its translation of field
        names, which first fetches the site's field list (``GET field``): these are field ids
        already, and a restarted bridge's first catch-up spends no request on the list. The
        answer is read as JSON: the library's resource objects cost more to build than the
        search took, and only the raw issue is used."""
        fields = FIELDS.split(",")
        if self.settings.deployment != "cloud":
            params = {
                "jql": jql,
                "startAt": 0,
                "validateQuery": True,
                "fields": fields,
                "expand": "changelog",
                "maxResults": size,
            }
            answer = self.call(lambda: self.client._get_json("search", params=params))
            return list(answer.get("issues") or [])
        reconcile = list(self._created)
        found: list[dict[str, Any]] = []
        token: str | None = None
        while True:  # Cloud may answer fewer than asked, with a token for the rest
            params = {
                "jql": jql,
                "fields": fields,
                "expand": "changelog",
                "reconcileIssues": reconcile,
                "maxResults": size - len(found),
            }
            if token:
                params["nextPageToken"] = token
            answer = self.call(
                lambda params=params: self.client._get_json("search/jql", params=params)
            )
            page = answer.get("issues") or []
            found.extend(page)
            token = answer.get("nextPageToken")
            if not token or not page or len(found) >= size:
                return found


def released_since(versions: list[dict[str, Any]], since: dt.datetime) -> list[MissedEvent]:
    found = []
    for version in versions:
        released_on = version.get("releaseDate")
        if version.get("released") is not True or not isinstance(released_on, str):
            continue
        day = dt.datetime.fromisoformat(released_on[:10]).replace(tzinfo=dt.UTC)
        if day < since.replace(hour=0, minute=0, second=0, microsecond=0):
            continue
        payload = {
            "webhookEvent": "jira:version_released",
            "timestamp": int(day.timestamp() * 1000),
            "version": version,
        }
        found.append(
            MissedEvent("jira", "jira:version_released", f"version:{version['id']}", payload, day)
        )
    return found
