"""State a forked child must start afresh: the parent's threads and connections are not its own.

gunicorn forks its workers from a parent that has already built the app. A child inherits the
objects the parent made, but none of their threads (a group commit's writer, the job dispatch,
the log writer), and must not use the parent's SQLite connections. Each such object registers
here and is told, in the child, to forget what was the parent's.
"""

from __future__ import annotations

import os
import weakref
from typing import Protocol


class ForgetsAfterFork(Protocol):
    def after_fork(self) -> None:
        """Called in a forked child: drop the parent's threads and connections."""


_owners: weakref.WeakSet[ForgetsAfterFork] = weakref.WeakSet()


def forget_in_child(owner: ForgetsAfterFork) -> None:
    """Have ``owner.after_fork()`` called in every child forked from now on."""
    _owners.add(owner)


def _after_fork_in_child() -> None:
    for owner in list(_owners):
        owner.after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
