"""A webhook receiver for tests and the demo: records every request it gets, answers 200."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask, request

from sandbox.core.server import BackgroundServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        app = Flask("sandbox.receiver")

        @app.post("/<path:path>")
        def receive(path: str) -> Any:
            with self._lock:
                self._received.append(
                    Received("/" + path, dict(request.headers), request.get_data())
                )
            return "", 200

        self._server = BackgroundServer(app)

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def clear(self) -> None:
        with self._lock:
            self._received.clear()

    def __enter__(self) -> WebhookReceiver:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()
