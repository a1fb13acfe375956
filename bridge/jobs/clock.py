"""The time and the worker's name, shared by everything that stamps a row or claims a lease.

Kept apart from ``bridge.runtime`` so the services can be handed them without importing the
runtime that wires them."""

from __future__ import annotations

import datetime as dt
import os
import socket


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
