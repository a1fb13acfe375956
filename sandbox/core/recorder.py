"""What the sandbox saw: every request it answered and every contract violation it found."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    vendor: str
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int
    at: float = field(default_factory=time.time)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Violation:
    """A request the vendor would reject, or an answer the vendor would never give."""

    vendor: str
    direction: str  # "request" or "response"
    method: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"[{self.vendor} {self.direction}] {self.method} {self.path}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def decode_body(raw: bytes, content_type: str | None) -> Any:
    """Keep a readable copy of a body: JSON as data, anything else as text."""
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if content_type and "json" in content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


class Recorder:
    """Thread-safe log of requests and violations for one vendor server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._violations: list[Violation] = []

    def record(self, entry: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(entry)

    def violate(self, violation: Violation) -> None:
        with self._lock:
            self._violations.append(violation)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def violations(self) -> list[Violation]:
        with self._lock:
            return list(self._violations)

    def find(self, method: str, path_prefix: str = "") -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if r.method == method.upper() and r.path.startswith(path_prefix)
        ]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._violations.clear()
