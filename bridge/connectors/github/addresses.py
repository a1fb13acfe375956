"""Where GitHub is: the pages people open (an issue's or pull request's ``html_url``, also for
an API URL, ``api.github.com/repos/…`` or Enterprise's ``/api/v3/repos/…``, stored before the
connector kept the page) and the API ``doctor`` tries to reach."""

from __future__ import annotations

import re

from bridge.config.connectors import GitHubSettings
from bridge.connectors.reach import http_probe
from bridge.observability.health import Check

GITHUB_API = re.compile(r"^(?P<host>https?://[^/]+)(?P<api>/api/v3)?/repos/(?P<path>[^?#]+)")


def _site(api: str) -> str:
    api = api.rstrip("/")
    return "https://github.com" if "api.github.com" in api else api.removesuffix("/api/v3")


class GitHubAddresses:
    """``issue_page``, ``mend_page`` and ``probe`` of the GitHub connector (docs/connectors.md)."""

    @classmethod
    def probe(cls, config: GitHubSettings) -> Check:
        return http_probe("github", str(config.base_url))

    @classmethod
    def issue_page(cls, config: GitHubSettings, key: str) -> str | None:
        return f"{_site(str(config.base_url))}/{config.repository}/issues/{key}"

    @classmethod
    def mend_page(cls, url: str) -> str | None:
        found = GITHUB_API.match(url)
        if found is None:
            return None
        host = found["host"].replace("://api.github.com", "://github.com")
        return f"{host}/{found['path'].replace('/pulls/', '/pull/')}"
