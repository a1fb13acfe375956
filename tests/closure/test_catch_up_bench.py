"""``bench/catchup.py`` at a small size: every AR changed while the bridge was down is caught up
in one run, each change stored once, no 429, and the table printed (the ratio is the bench's
own verdict at full size, not this test's)."""

from __future__ import annotations

import pytest

from bench import catchup


def test_the_catch_up_bench_finds_every_change_once_and_prints_its_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIDGE_CONFIG", "unset")  # the bench points these at its own files
    monkeypatch.setenv("BRIDGE_DATA_DIR", "unset")
    # The bench quiets logging for its own run; bound to pytest's captured output, that would
    # leave later tests logging to a closed stream.
    monkeypatch.setattr(catchup, "configure_logging", lambda *_args: None)

    rows = catchup.bench(60)
    catchup.report(rows)

    assert [row.vendor for row in rows] == ["jira", "github"]
    for row in rows:
        assert (row.ars, row.runs, row.missed, row.doubled, row.refused) == (60, 1, 0, 0, 0)
        assert row.needed <= row.made <= row.needed + 2  # a full last page asks once more
        assert row.least > 0
    assert rows[0].needed == 2  # one search of up to 100 keys, the project's versions
    table = capsys.readouterr().out
    assert "least s" in table and "ratio" in table
