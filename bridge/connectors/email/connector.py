"""Email over SMTP for setups without a helpdesk: Jinja2 templates, STARTTLS/SSL, auth.

SMTP has nothing to look a message up in, so each message carries a Message-ID derived from its
idempotency key (mail systems drop a second copy with the same id) and the headers
``Auto-Submitted: auto-generated`` and ``X-Support-Bridge-Key`` that mark it as ours.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any, ClassVar

import structlog
from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound, UndefinedError

from bridge.config.connectors import EmailSettings
from bridge.connectors import retry
from bridge.connectors.reach import tcp_probe
from bridge.connectors.registry import BuiltFromSettings, Context, unknown_operation
from bridge.domain.contacts import single_address
from bridge.observability.health import Check
from bridge.services.ports import (
    CheckResult,
    ConnectorAuthError,
    ConnectorError,
    IdempotencyKey,
    Kind,
    PermanentConnectorError,
    TransientConnectorError,
)

log = structlog.get_logger(__name__)
KEY_HEADER = "X-Support-Bridge-Key"
TIMEOUT_SECONDS = 15
_templates = Environment(
    loader=PackageLoader("bridge.connectors.email", "templates"),
    undefined=StrictUndefined,
    autoescape=False,  # noqa: S701 - plain-text mail, never rendered as HTML
    keep_trailing_newline=True,
)


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) from ``templates/<template>.txt``, whose first line is the subject."""
    try:
        text = _templates.get_template(f"{template}.txt").render(**context)
    except TemplateNotFound:
        msg = f"no email template {template!r}"
        raise PermanentConnectorError("email", msg) from None
    except UndefinedError as exc:
        msg = f"template {template!r} needs a value the side effect did not carry: {exc.message}"
        raise PermanentConnectorError("email", msg) from None
    subject, _, body = text.partition("\n")
    return subject.removeprefix("Subject:").strip(), body.lstrip("\n")


def message_id(key: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@support-bridge>"


class EmailConnector(BuiltFromSettings):
    key = "email"
    title: ClassVar[str] = "email"  # the board's "3 email messages … gave up"
    budgets: ClassVar[dict[str, str]] = {"email:messages": "30/minute"}
    kind = Kind.MAILER
    features = frozenset({"send", "templates"})

    @classmethod
    def probe(cls, config: EmailSettings) -> Check:
        return tcp_probe(cls.key, config.host, config.port)

    def __init__(self, settings: EmailSettings, context: Context) -> None:
        self.settings = settings
        self._gate = context.gate

    def perform(
        self, operation: str, payload: dict[str, Any], key: IdempotencyKey
    ) -> dict[str, Any]:
        if operation != "send":
            raise unknown_operation(self.key, operation)
        sent_id = self.send(payload["to"], payload["template"], payload.get("context") or {}, key)
        return {"to": payload["to"], "message_id": sent_id}

    def send(self, to: str, template: str, context: dict[str, Any], key: IdempotencyKey) -> str:
        recipient = single_address(to)
        if recipient is None:
            msg = "refusing to mail: the recipient is not exactly one valid email address"
            raise PermanentConnectorError("email", msg)
        subject, body = render(template, context)
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = recipient
        mail["Subject"] = " ".join(subject.split())  # no line break can start a header
        mail["Message-ID"] = message_id(key)
        mail["Auto-Submitted"] = "auto-generated"
        mail[KEY_HEADER] = key
        mail.set_content(body)

        def attempt() -> None:
            with self._gate.slot("email:messages"), self._connect() as smtp:
                smtp.send_message(mail)

        retry.call(lambda: _translated(attempt))
        log.info("email.sent", template=template)
        return str(mail["Message-ID"])

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.username and s.password is not None:
            smtp.login(s.username, s.password.get_secret_value())
        return smtp

    def check(self) -> CheckResult:
        try:
            retry.call(lambda: _translated(lambda: self._connect().quit()))
        except ConnectorError as exc:
            return CheckResult(False, str(exc), "check connectors.email host, port and login")
        return CheckResult(True, f"{self.settings.host}:{self.settings.port} accepts us")

    def is_own_write(self, event: dict[str, Any]) -> bool:
        """An inbound mail (headers as a dict) that is a bounce or echo of one of ours."""
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        return KEY_HEADER.lower() in headers or "@support-bridge>" in headers.get("in-reply-to", "")


def _translated(fn: Any) -> Any:
    try:
        return fn()
    except smtplib.SMTPAuthenticationError as exc:
        msg = f"the SMTP server refused our login ({exc.smtp_code}); check connectors.email"
        raise ConnectorAuthError("email", msg) from exc
    except smtplib.SMTPResponseException as exc:
        words = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        if 400 <= exc.smtp_code < 500:
            raise TransientConnectorError("email", f"SMTP {exc.smtp_code}: {words}") from exc
        raise PermanentConnectorError("email", f"SMTP {exc.smtp_code}: {words}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        msg = f"the SMTP server refused the recipient(s) {', '.join(exc.recipients)}"
        raise PermanentConnectorError("email", msg) from exc
    except (smtplib.SMTPException, OSError) as exc:
        msg = f"cannot deliver to the SMTP server: {type(exc).__name__}"
        raise TransientConnectorError("email", msg) from exc
