"""Webhooks out: registered targets, vendor signatures, delivery log, drop/duplicate faults."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import parse_qs

import requests

# sign(event, body, secret) -> headers the vendor puts on the delivery
Signer = Callable[[str, bytes, str], dict[str, str]]


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    secret: str
    events: tuple[str, ...] = ("*",)
    # Delivers instead of an HTTP POST (Slack's Socket Mode sends over the app's WebSocket).
    transport: Callable[[str, bytes], Delivery] | None = None

    def wants(self, event: str) -> bool:
        return any(fnmatchcase(event, pattern) for pattern in self.events)


@dataclass(frozen=True)
class Delivery:
    event: str
    url: str
    headers: dict[str, str]
    body: bytes
    status: int | None
    error: str | None = None
    dropped: bool = False
    at: float = field(default_factory=time.time)
    answer: Any = None  # what the app acknowledged with, where the way in keeps it (a socket)
    redelivery: bool = False  # sent again on request (GitHub's "Redeliver")

    @property
    def payload(self) -> Any:
        """The body as data: JSON, or a form (Slack's slash commands and interactions)."""
        if self.body[:1] in (b"{", b"["):
            return json.loads(self.body)
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8")).items()}

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["body"] = self.body.decode("utf-8")
        return data


@dataclass
class _WebhookFault:
    kind: str  # "drop" or "duplicate"
    event: str
    times: int


class WebhookSender:
    """Signs and posts one vendor's webhooks.

    Deliveries are queued while the vendor's state lock is held and sent afterwards: in the
    request thread by default (so an API call returns after its webhooks arrived), or from a
    background thread when `background=True`. `flush()` waits until the queue is empty.
    """

    def __init__(self, vendor: str, sign: Signer, *, timeout: float = 5.0) -> None:
        self.vendor = vendor
        self._sign = sign
        self.timeout = timeout
        self._lock = threading.Lock()
        self._targets: list[WebhookTarget] = []
        self._faults: list[_WebhookFault] = []
        self._deliveries: list[Delivery] = []
        self._queue: queue.Queue[Callable[[], None]] = queue.Queue()
        self._worker: threading.Thread | None = None

    def register(self, url: str, secret: str, events: tuple[str, ...] = ("*",)) -> WebhookTarget:
        target = WebhookTarget(url, secret, tuple(events))
        with self._lock:
            self._targets.append(target)
        return target

    def add_target(self, target: WebhookTarget) -> None:
        with self._lock:
            self._targets.append(target)

    def remove_target(self, target: WebhookTarget) -> None:
        with self._lock:
            if target in self._targets:
                self._targets.remove(target)

    def unregister_all(self) -> None:
        with self._lock:
            self._targets.clear()

    @property
    def targets(self) -> list[WebhookTarget]:
        with self._lock:
            return list(self._targets)

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    def drop_next(self, times: int = 1, event: str = "*") -> None:
        with self._lock:
            self._faults.append(_WebhookFault("drop", event, times))

    def duplicate_next(self, times: int = 1, event: str = "*") -> None:
        with self._lock:
            self._faults.append(_WebhookFault("duplicate", event, times))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def send(self, event: str, payload: dict[str, Any]) -> None:
        """Queue `payload` for every target subscribed to `event`."""
        self.send_body(event, json.dumps(payload, separators=(",", ":")).encode("utf-8"))

    def send_body(self, event: str, body: bytes) -> None:
        """Queue an already encoded body (Slack sends some requests form-encoded)."""
        self._queue.put(lambda: self._deliver_all(event, body))

    def redeliver(self, number: int) -> Delivery | None:
        """Queue delivery ``number`` (1-based, in the order sent) to go again, to the same URL
        with the same headers (its delivery id too), as GitHub's "Redeliver" does."""
        with self._lock:
            if not 1 <= number <= len(self._deliveries):
                return None
            original = self._deliveries[number - 1]

        def again() -> None:
            sent = self._post(original.event, original.url, original.headers, original.body)
            self._log(replace(sent, redelivery=True))

        self._queue.put(again)
        return original

    def start_background(self) -> None:
        if self._worker is None:
            self._worker = threading.Thread(
                target=self._work, name=f"sandbox-{self.vendor}-webhooks", daemon=True
            )
            self._worker.start()

    def flush(self) -> None:
        if self._worker is not None:
            self._queue.join()
            return
        while True:
            try:
                deliver = self._queue.get_nowait()
            except queue.Empty:
                return
            deliver()
            self._queue.task_done()

    def _work(self) -> None:
        while True:
            deliver = self._queue.get()
            try:
                deliver()
            finally:
                self._queue.task_done()

    def _spend_fault(self, kind: str, event: str) -> bool:
        with self._lock:
            for fault in self._faults:
                if fault.kind == kind and fnmatchcase(event, fault.event):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return True
        return False

    def _deliver_all(self, event: str, body: bytes) -> None:
        for target in self.targets:
            if not target.wants(event):
                continue
            headers = {} if target.transport else self._sign(event, body, target.secret)
            if self._spend_fault("drop", event):
                self._log(Delivery(event, target.url, headers, body, None, dropped=True))
                continue
            copies = 2 if self._spend_fault("duplicate", event) else 1
            for _ in range(copies):
                if target.transport is not None:
                    self._log(target.transport(event, body))
                else:
                    self._log(self._post(event, target.url, headers, body))

    def _post(self, event: str, url: str, headers: dict[str, str], body: bytes) -> Delivery:
        try:
            answer = requests.post(url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as error:
            return Delivery(event, url, headers, body, None, error=type(error).__name__)
        return Delivery(event, url, headers, body, answer.status_code)

    def _log(self, delivery: Delivery) -> None:
        with self._lock:
            self._deliveries.append(delivery)
