"""In-process jobs give way to the requests being answered, but never wait for long."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask

from bridge.jobs.activity import ActiveRequests
from bridge.runtime import Runtime
from tests.helpers import migrated_runtime


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    with migrated_runtime() as runtime:
        yield runtime


def test_giving_way_costs_nothing_when_no_request_is_in_flight() -> None:
    assert ActiveRequests().give_way(longest=5.0) == 0.0


def test_giving_way_lasts_until_the_last_request_finishes() -> None:
    requests = ActiveRequests()
    requests.started()
    requests.started()
    timer = threading.Timer(0.1, lambda: (requests.finished(), requests.finished()))
    timer.start()
    waited = requests.give_way(longest=5.0)
    timer.join()
    assert 0.08 <= waited < 2.0
    assert requests.in_flight == 0


def test_giving_way_gives_up_after_the_longest_wait() -> None:
    requests = ActiveRequests()
    requests.started()
    started = time.monotonic()
    requests.give_way(longest=0.1)
    assert 0.09 <= time.monotonic() - started < 2.0
    assert requests.in_flight == 1


def test_a_request_is_in_flight_while_it_is_handled_even_when_it_fails(
    app: Flask, runtime: Runtime
) -> None:
    seen: list[int] = []

    def look() -> str:
        seen.append(runtime.requests.in_flight)
        return "ok"

    def fail() -> str:
        seen.append(runtime.requests.in_flight)
        raise RuntimeError("a bug in a view")

    app.add_url_rule("/_test/look", view_func=look)
    app.add_url_rule("/_test/fail", view_func=fail)
    client = app.test_client()
    assert client.get("/_test/look").status_code == 200
    assert client.get("/_test/fail").status_code == 500
    assert client.get("/healthz").status_code == 200
    assert seen == [1, 1]
    assert runtime.requests.in_flight == 0
