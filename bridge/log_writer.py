"""Log lines written to their stream by one background thread, a batch at a time.

Every request logs a line. Written by the request's own thread, each line was a write system call
made under the stream's lock: with eight request threads, the waits on that lock and the GIL
hand-offs around every call cost more CPU than the rest of a webhook's acknowledgement
(``bench/ingest.py``). Appending a line to a deque needs neither; the writer thread writes what
gathered, in one call, every ``interval`` seconds.

A line reaches its stream within ``interval``. Errors are written at once, so the line that
explains a crash is out before the crash; everything still queued is written at exit.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import threading
import weakref
from typing import TextIO

from bridge.forks import forget_in_child

DEFAULT_INTERVAL = 0.05

_writers: weakref.WeakSet[LineWriter] = weakref.WeakSet()


class LineWriter:
    def __init__(self, stream: TextIO, interval: float = DEFAULT_INTERVAL) -> None:
        self.stream = stream
        self.interval = interval
        self._lines: collections.deque[str] = collections.deque()
        self._flushing = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        _writers.add(self)
        forget_in_child(self)

    def write(self, line: str) -> None:
        """Queue one line (ending in a newline); never blocks on the stream."""
        self._lines.append(line)
        if self._thread is None:
            self._start()

    def write_now(self, line: str) -> None:
        """Write this line, and every line queued before it, before returning."""
        self._lines.append(line)
        self.flush()

    def flush(self) -> None:
        with self._flushing:
            lines = []
            with contextlib.suppress(IndexError):
                while True:
                    lines.append(self._lines.popleft())
            if not lines:
                return
            try:
                self.stream.write("".join(lines))
                self.stream.flush()
            except (OSError, ValueError):  # a closed or broken stream: nowhere left to say so
                pass

    def close(self) -> None:
        """Write what is queued and stop the thread; later lines are written at once."""
        self._stopped.set()
        self.flush()
        self._thread = None

    def _start(self) -> None:
        if self._stopped.is_set():
            self.flush()
            return
        with self._flushing:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            self.flush()

    def after_fork(self) -> None:
        """The child (a gunicorn worker) has the parent's queued lines but not its thread."""
        self._flushing = threading.Lock()
        self._thread = None


def _flush_all() -> None:
    for writer in list(_writers):
        writer.flush()


atexit.register(_flush_all)
