"""Where GitLab is: the page of an issue people open, the same for an API URL of an issue
(``…/api/v4/projects/<group%2Fproject>/issues/<iid>``), and the API ``doctor`` tries to reach."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from bridge.connectors.gitlab.settings import GitLabSettings
from bridge.connectors.reach import http_probe
from bridge.observability.health import Check

GITLAB_API = re.compile(
    r"^(?P<site>https?://[^?#]+?)/api/v4/projects/(?P<project>[^/?#]+)/issues/(?P<iid>\d+)"
)


def settings_of(config: Any) -> GitLabSettings:
    """``connectors.gitlab``: validated already, or the section as bridge.yaml gives it."""
    return config if isinstance(config, GitLabSettings) else GitLabSettings(**config)


class GitLabAddresses:
    """``issue_page``, ``mend_page`` and ``probe`` of the GitLab connector (docs/connectors.md)."""

    @classmethod
    def probe(cls, config: Any) -> Check:
        return http_probe("gitlab", f"{settings_of(config).base_url}/api/v4/version")

    @classmethod
    def issue_page(cls, config: Any, key: str) -> str | None:
        settings = settings_of(config)
        iid = key.rsplit("#", 1)[-1]
        return f"{settings.base_url}/{settings.project}/-/issues/{iid}" if iid.isdigit() else None

    @classmethod
    def mend_page(cls, url: str) -> str | None:
        found = GITLAB_API.match(url)
        if found is None or "%2F" not in found["project"].upper():
            return None  # a numeric project id names no page
        return f"{found['site']}/{unquote(found['project'])}/-/issues/{found['iid']}"
