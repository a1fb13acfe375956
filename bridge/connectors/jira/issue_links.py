"""The AR's link to its SPAR in Jira: an issue link of ``connectors.jira.link_type``, or, where
the site has no such type (or issue linking is off), a remote link and a warning naming the
setting; never nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import structlog
from jira.exceptions import JIRAError

from bridge.services.ports import ConnectorError, ExternalRef

log = structlog.get_logger(__name__)
_LINK_TYPE_WORDS = ("link type", "issue linking")  # Jira refusing the type, or linking itself
_FALSE_LIBRARY_WARNING = "Warning: Specified issue link type is not present"


class _NoFalseLinkTypeWarning(logging.Filter):
    """``jira``'s ``create_issue_link`` looks the type name up among IssueLinkType resources,
    which never equal a string, so it warns that the type "is not present" on every call, even
    when it is. The connector says so itself, accurately, when Jira refuses the type."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_FALSE_LIBRARY_WARNING)


logging.getLogger("jira").addFilter(_NoFalseLinkTypeWarning())


def _link_type_refused(fn: Callable[[], object]) -> Callable[[], str | None]:
    """Creating an issue link: Jira's words when it refuses the link type (404 "No issue link
    type with name 'Relates' found.", or issue linking switched off), None once linked."""

    def link() -> str | None:
        try:
            fn()
        except JIRAError as exc:
            words = str(exc.text or "")
            if exc.status_code in (400, 404) and any(w in words.lower() for w in _LINK_TYPE_WORDS):
                return words
            raise
        return None

    return link


class IssueLinks:
    """Part of ``JiraConnector``: it provides ``call``, ``client``, ``settings`` and ``ref``."""

    call: Any
    client: Any
    settings: Any
    ref: Any

    def link_issues(self, ref: ExternalRef, other: str) -> None:
        """Link the AR to its SPAR with the configured issue link type; where Jira refuses that
        type, with a remote link to the SPAR instead, never with nothing."""
        issue = self.call(lambda: self.client.issue(ref.key, fields="issuelinks"))
        for link in getattr(issue.fields, "issuelinks", None) or []:
            linked = getattr(link, "outwardIssue", None) or getattr(link, "inwardIssue", None)
            if linked is not None and linked.key == other:
                return
        kind = self.settings.link_type
        refused = self.call(
            _link_type_refused(lambda: self.client.create_issue_link(kind, ref.key, other)),
            creates=True,
        )
        if refused is not None:
            self._link_remotely(ref, other, refused)

    def _link_remotely(self, ref: ExternalRef, spar: str, refusal: str) -> None:
        """The AR's remote link to its SPAR, upserted by a stable globalId."""
        available = self._link_type_names()
        log.warning(
            "jira.link_type_missing",
            link_type=self.settings.link_type,
            issue=ref.key,
            linked_to=spar,
            jira=refusal,
            available=available,
            fix=(
                f"Jira has no issue link type {self.settings.link_type!r}; set "
                f"connectors.jira.link_type to one of: {', '.join(available) or 'none'}. "
                f"{ref.key} is linked to {spar} with a remote link meanwhile."
            ),
        )
        destination = {"url": self.ref(spar).url, "title": f"SPAR {spar}"}
        self.call(
            lambda: self.client.add_remote_link(
                ref.key,
                destination,
                globalId=f"support-bridge:spar:{spar}",
                application={"type": "support-bridge", "name": "Support Bridge"},
                relationship="raised from SPAR",
            )
        )

    def _link_type_names(self) -> list[str]:
        try:
            return [str(t.name) for t in self.call(lambda: self.client.issue_link_types())]
        except ConnectorError:
            return []  # only for the warning's words; the remote link matters more
