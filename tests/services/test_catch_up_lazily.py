"""A connector that answers in parts (Jira: the ARs' changes, then the released versions) has
each part stored before it asks for the next; when it fails halfway, what was stored stays and
the watermark stays where it was, so the next run asks from the same point and stores only the
rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bridge.connectors.jira.events import JiraEvents
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services.inbound.catchup import CatchUp
from bridge.services.ports import MissedEvent, TransientConnectorError, Watching
from bridge.store.watermarks import Watermarks


def _comment(number: int, at: dt.datetime) -> MissedEvent:
    payload = {
        "comment": {"id": str(number), "body": "Root cause found"},
        "issue": {"key": "DEV-7"},
    }
    return MissedEvent("jira", "comment_created", "DEV-7", payload, at)


class JiraInParts:
    key = "jira"
    events = JiraEvents()  # Jira's own inbox keys for what it finds
    features = frozenset({"catch_up"})
    catch_up_scope = "DEV"

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.stored_before_next_request: list[int] = []
        self.fail_at_next_request = True

    def missed_since(self, since: dt.datetime, watching: Watching) -> list[MissedEvent]:
        raise AssertionError("catch-up asks a source that can answer in parts for its parts")

    def missed_in_parts(
        self, since: dt.datetime, watching: Watching
    ) -> Iterator[list[MissedEvent]]:
        yield [_comment(1, since), _comment(2, since)]
        self.stored_before_next_request.append(sum(self.runtime.inbox.counts_by_status().values()))
        if self.fail_at_next_request:
            raise TransientConnectorError("jira", "Jira answered 503")
        yield [_comment(3, since)]


def test_each_part_found_is_stored_before_the_next_is_asked_for_and_kept_when_one_fails(
    runtime: Runtime,
) -> None:
    jira = JiraInParts(runtime)
    watermarks = Watermarks(runtime.sessions)
    catch_up = CatchUp(
        {"jira": jira}, watermarks, runtime.handoff.accept_all, lambda: dt.timedelta(minutes=15)
    )
    started = utcnow()
    catch_up.run(started)  # the first start sets the watermark
    mark = watermarks.get("jira", "DEV")
    assert mark is not None

    assert catch_up.run(started + dt.timedelta(minutes=1)) == 2
    assert jira.stored_before_next_request == [2]
    failed = watermarks.get("jira", "DEV")
    assert failed is not None and failed.seen_until == mark.seen_until

    jira.fail_at_next_request = False
    assert catch_up.run(started + dt.timedelta(minutes=2)) == 1  # the third; the two dropped
    assert sum(runtime.inbox.counts_by_status().values()) == 3
