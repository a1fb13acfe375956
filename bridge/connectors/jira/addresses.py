"""Where Jira is: the pages people open (an issue's ``/browse/KEY``, also for a REST URL
stored before the connector kept the page) and the site ``doctor`` tries to reach."""

from __future__ import annotations

import re

from bridge.config.connectors import JiraSettings
from bridge.connectors.reach import http_probe
from bridge.observability.health import Check

JIRA_API = re.compile(r"^(?P<site>.+?)/rest/api/[^/]+/issue/(?P<key>[^/?#]+)")


class JiraAddresses:
    """``issue_page``, ``mend_page`` and ``probe`` of the Jira connector (docs/connectors.md)."""

    @classmethod
    def probe(cls, config: JiraSettings) -> Check:
        return http_probe("jira", str(config.url))

    @classmethod
    def issue_page(cls, config: JiraSettings, key: str) -> str | None:
        return f"{str(config.url).rstrip('/')}/browse/{key}"

    @classmethod
    def mend_page(cls, url: str) -> str | None:
        """``…/rest/api/2/issue/DEV-7`` → ``…/browse/DEV-7``; None for any other URL."""
        found = JIRA_API.match(url)
        return f"{found['site']}/browse/{found['key']}" if found is not None else None
