"""The tickets waiting on an AR, as one internal comment on it kept in step: its id, digest and
the time of the list shown are remembered in an entity property of the issue."""

from __future__ import annotations

from typing import Any

import structlog

from bridge.connectors.jira import markup
from bridge.connectors.jira.errors import absent_as_none
from bridge.services.ports import ExternalRef, WaitingList

log = structlog.get_logger(__name__)
WAITING_PROPERTY = "support-bridge-waiting"  # on an AR: the waiting list's comment id and digest


class WaitingListComment:
    """Part of ``JiraConnector``: it provides ``call``, ``client`` and ``settings``."""

    call: Any
    client: Any
    settings: Any

    def upsert_waiting_list(self, ref: ExternalRef, waiting: WaitingList) -> None:
        """One comment on the AR lists the tickets waiting on it, edited in place. The entity
        property ``support-bridge-waiting`` remembers the comment's id, the digest and when the
        list shown was read: an unchanged or older list writes nothing."""
        stored = self.call(
            absent_as_none(lambda: self.client.issue_property(ref.key, WAITING_PROPERTY))
        )
        shown: dict[str, Any] = dict(stored.raw.get("value") or {}) if stored else {}
        if shown.get("digest") == waiting.digest or str(shown.get("as_of", "")) > waiting.as_of:
            log.info("jira.waiting_list.unchanged", issue=ref.key, digest=waiting.digest)
            return
        body = markup.waiting_list(waiting, self.settings.description_format == "adf")
        comment = self._waiting_comment(ref, str(shown.get("comment") or ""))
        if comment is None:
            comment = self.call(
                lambda: self.client.add_comment(ref.key, body, is_internal=True), creates=True
            )
            log.info("jira.waiting_list.posted", issue=ref.key, comment=comment.id)
        else:
            self.call(lambda: comment.update(body=body, is_internal=True))
            log.info("jira.waiting_list.edited", issue=ref.key, comment=comment.id)
        mark = {"comment": str(comment.id), "digest": waiting.digest, "as_of": waiting.as_of}
        self.call(lambda: self.client.add_issue_property(ref.key, WAITING_PROPERTY, mark))

    def _waiting_comment(self, ref: ExternalRef, comment_id: str) -> Any:
        """Our waiting-list comment: by the id we stored, or (after a crash between posting it
        and storing its id) by its title and signature; None when there is none yet."""
        if comment_id:
            found = self.call(absent_as_none(lambda: self.client.comment(ref.key, comment_id)))
            if found is not None:
                return found
        existing = self.call(lambda: self.client.comments(ref.key))
        return next((c for c in existing if markup.is_waiting_list(c.raw.get("body"))), None)
