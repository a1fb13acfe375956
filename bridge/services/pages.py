"""The pages people use for a record, never the API URL a connector called: the helpdesk's
agent view of a ticket, a Jira issue's ``/browse/KEY``, a GitHub issue's ``html_url``.

``record_page`` also mends URLs stored before connectors kept the page (a Jira
``/rest/api/…/issue/KEY``, a GitHub ``api.github.com/repos/…``)."""

from __future__ import annotations

import re

from bridge.config import Settings

JIRA_API = re.compile(r"^(?P<site>.+?)/rest/api/[^/]+/issue/(?P<key>[^/?#]+)")
GITHUB_API = re.compile(r"^(?P<host>https?://[^/]+)(?P<api>/api/v3)?/repos/(?P<path>[^?#]+)")


def ticket_page(settings: Settings, helpdesk: str, ticket: str) -> str | None:
    if helpdesk == "zendesk" and settings.connectors.zendesk is not None:
        return f"{str(settings.connectors.zendesk.url).rstrip('/')}/agent/tickets/{ticket}"
    if helpdesk == "freshdesk" and settings.connectors.freshdesk is not None:
        return f"{str(settings.connectors.freshdesk.url).rstrip('/')}/a/tickets/{ticket}"
    return None


def _github_page(url: str) -> str | None:
    found = GITHUB_API.match(url)
    if found is None:
        return None
    host = found["host"].replace("://api.github.com", "://github.com")
    return f"{host}/{found['path'].replace('/pulls/', '/pull/')}"


def record_page(settings: Settings, system: str, key: str, url: str | None) -> str | None:
    """The issue page for a SPAR or AR filed in ``system``."""
    if url:
        jira = JIRA_API.match(url)
        if jira is not None:
            return f"{jira['site']}/browse/{jira['key']}"
        return _github_page(url) or url
    trackers = settings.connectors
    if system == "jira" and trackers.jira is not None:
        return f"{str(trackers.jira.url).rstrip('/')}/browse/{key}"
    if system == "github" and trackers.github is not None:
        api = str(trackers.github.base_url).rstrip("/")
        host = "https://github.com" if "api.github.com" in api else api.removesuffix("/api/v3")
        return f"{host}/{trackers.github.repository}/issues/{key}"
    return None
