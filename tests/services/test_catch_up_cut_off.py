"""Catch-up's schedule when a run stops at its page cap: the watermark moves only as far as the
source read, the source is behind, the next minute's tick goes on from exactly there (no
reach-back), and a caught-up source waits its interval again. A cut-off run that made no
headway is a failure, not a loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bridge.runtime import Runtime
from bridge.services.inbound.catchup import OVERLAP, CatchUp
from bridge.services.ports import CutOff, MissedEvent, Watching
from bridge.store.inbox import Delivery, Stored
from bridge.store.watermarks import Watermarks

from .conftest import MONDAY_10AM

EVERY = dt.timedelta(minutes=15)


class ScriptedSource:
    """A vendor source answering each run from a script, noting the time each run asked from."""

    features = frozenset({"catch_up"})
    catch_up_scope = "events"

    def __init__(self) -> None:
        self.answers: list[list[MissedEvent] | CutOff] = []
        self.asked: list[dt.datetime] = []

    def missed_since(self, since: dt.datetime, watching: Watching) -> list[MissedEvent] | CutOff:
        self.asked.append(since)
        return self.answers.pop(0)


def nothing_stored(deliveries: Sequence[Delivery]) -> list[Stored]:
    assert not deliveries
    return []


def catch_up_of(runtime: Runtime, source: ScriptedSource) -> CatchUp:
    return CatchUp(
        {"vendor": source},  # type: ignore[dict-item]
        Watermarks(runtime.sessions),
        nothing_stored,
        lambda: EVERY,
    )


def test_a_cut_off_run_is_continued_at_the_next_tick_from_where_it_stopped(
    runtime: Runtime,
) -> None:
    source = ScriptedSource()
    catch_up = catch_up_of(runtime, source)
    start = MONDAY_10AM
    catch_up.run(start)  # a new install: the first watermark, nothing asked
    assert source.asked == []

    back_then = start + dt.timedelta(hours=2)  # the bridge was down two hours
    read_until = start + dt.timedelta(minutes=40)
    source.answers = [CutOff([], read_until), [], []]
    catch_up.run(back_then)
    assert source.asked == [start - OVERLAP]
    [health] = catch_up.health()
    assert health.behind and health.last_synced == read_until and health.last_error is None
    assert health.next_due == back_then + dt.timedelta(seconds=50)
    assert "behind" in health.describe(back_then)

    catch_up.tick(back_then + dt.timedelta(seconds=20))  # not yet
    assert len(source.asked) == 1
    next_minute = back_then + dt.timedelta(minutes=1)
    catch_up.tick(next_minute)
    assert source.asked[1] == read_until  # exactly where it stopped, no reach-back
    [health] = catch_up.health()
    assert not health.behind and health.last_synced == next_minute
    assert health.next_due == next_minute + EVERY

    catch_up.tick(next_minute + dt.timedelta(minutes=1))  # caught up: it waits its interval
    assert len(source.asked) == 2
    catch_up.tick(next_minute + EVERY)
    assert source.asked[2] == next_minute - OVERLAP


def test_a_cut_off_run_that_read_no_further_is_a_failure_not_a_loop(runtime: Runtime) -> None:
    source = ScriptedSource()
    catch_up = catch_up_of(runtime, source)
    catch_up.run(MONDAY_10AM)
    later = MONDAY_10AM + dt.timedelta(hours=1)
    source.answers = [CutOff([], MONDAY_10AM - OVERLAP)]
    catch_up.run(later)

    [health] = catch_up.health()
    assert health.last_error is not None and "more events than one run reads" in health.last_error
    assert health.last_synced == MONDAY_10AM and not health.behind
    catch_up.tick(later + dt.timedelta(minutes=1))  # failing: asked again an interval on
    assert len(source.asked) == 1
