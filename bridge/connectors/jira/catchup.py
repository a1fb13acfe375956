"""Versions of the development project released since a time, as Jira's
``jira:version_released`` webhook would have told them. Jira gives a release a date, not a
time: a version released on the watermark's day is listed again on that day's runs, and the
inbox's content key drops the repeats."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bridge.services.ports import MissedEvent


class VersionCatchUp:
    """Part of ``JiraConnector`` (``catch_up``): it provides ``call``, ``client`` and
    ``settings``; one watermark covers the development project."""

    call: Any
    client: Any
    settings: Any

    @property
    def catch_up_scope(self) -> str:
        return str(self.settings.development_project)

    def missed_since(self, since: dt.datetime) -> list[MissedEvent]:
        project = self.settings.development_project
        versions = self.call(lambda: self.client.project_versions(project))
        return released_since([version.raw for version in versions], since)


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
