"""An SMTP server (aiosmtpd) on a free loopback port that keeps every message it receives."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain", "html"))
        return body.get_content() if body is not None else ""


class MailStore:
    """The aiosmtpd handler: accepts every message and keeps it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mails: list[ReceivedMail] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        parsed = message_from_bytes(
            raw if isinstance(raw, bytes) else raw.encode(), policy=policy.default
        )
        mail = ReceivedMail(str(envelope.mail_from), tuple(envelope.rcpt_tos), parsed)
        with self._lock:
            self._mails.append(mail)
        return "250 Message accepted for delivery"

    @property
    def mails(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._mails)

    def clear(self) -> None:
        with self._lock:
            self._mails.clear()


class _FreePortController(Controller):
    """aiosmtpd's Controller, but bound to port 0 and then told which port it got."""

    def _trigger_server(self) -> Any:
        if self.port == 0 and isinstance(self.server, asyncio.Server):
            self.port = self.server.sockets[0].getsockname()[1]
        return super()._trigger_server()  # type: ignore[no-untyped-call]


class SmtpServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.store = MailStore()
        self._controller = _FreePortController(self.store, hostname=host, port=0)

    @property
    def host(self) -> str:
        return str(self._controller.hostname)

    @property
    def port(self) -> int:
        return int(self._controller.port)

    @property
    def mails(self) -> list[ReceivedMail]:
        return self.store.mails

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
