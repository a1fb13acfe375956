"""Mail goes out over SMTP from Jinja2 templates, marked as ours; failures say what to fix."""

from __future__ import annotations

import socket

import pytest

from bridge.connectors.email import EmailConnector
from bridge.connectors.email.settings import EmailSettings
from bridge.connectors.registry import Context
from bridge.services import effects
from bridge.services.ports import IdempotencyKey, PermanentConnectorError, TransientConnectorError
from sandbox import Sandbox

NOTICE = {"ticket": "812", "customer_name": "Casey", "message": "Engineering has a fix."}


def make_email(host: str, port: int, context: Context) -> EmailConnector:
    settings = EmailSettings(host=host, port=port, security="none", sender="support@acme.test")
    return EmailConnector(settings, context)


def test_a_templated_notice_reaches_the_customer_marked_as_ours(
    sandbox: Sandbox, context: Context
) -> None:
    smtp = sandbox.credentials["smtp"]
    mailer = make_email(smtp["host"], smtp["port"], context)
    effect = effects.email(
        "esc-1:notice", to="casey@customer.example", template="customer_notice", context=NOTICE
    )
    result = mailer.perform(
        effect.operation, effect.payload, IdempotencyKey(effect.idempotency_key)
    )

    [mail] = [m for m in sandbox.smtp.mails if m.message["Message-ID"] == result["message_id"]]
    assert mail.rcpt_tos == ("casey@customer.example",)
    assert mail.subject == "Update on your ticket 812"
    assert "Engineering has a fix." in mail.text
    headers = dict(mail.message.items())
    assert mailer.is_own_write({"headers": headers}) is True
    assert mailer.is_own_write({"headers": {"From": "casey@customer.example"}}) is False


def test_a_template_value_missing_is_refused_naming_it(sandbox: Sandbox, context: Context) -> None:
    smtp = sandbox.credentials["smtp"]
    mailer = make_email(smtp["host"], smtp["port"], context)
    with pytest.raises(PermanentConnectorError, match="customer_name"):
        mailer.send(
            "casey@customer.example",
            "customer_notice",
            {"ticket": "1", "message": "x"},
            IdempotencyKey("k"),
        )


def test_an_unreachable_smtp_server_is_a_transient_failure(context: Context) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    mailer = make_email("127.0.0.1", closed_port, context)
    with pytest.raises(TransientConnectorError, match="cannot deliver"):
        mailer.send("casey@customer.example", "customer_notice", NOTICE, IdempotencyKey("k2"))


@pytest.mark.parametrize(
    "to",
    [
        "casey@customer.example, attacker@evil.example",
        "casey@customer.example\r\nBcc: attacker@evil.example",
        "casey@customer.example attacker@evil.example",
    ],
)
def test_a_recipient_that_is_not_one_address_is_refused_and_nothing_is_sent(
    sandbox: Sandbox, context: Context, to: str
) -> None:
    smtp = sandbox.credentials["smtp"]
    mailer = make_email(smtp["host"], smtp["port"], context)
    before = len(sandbox.smtp.mails)
    with pytest.raises(PermanentConnectorError, match="not exactly one valid email address"):
        mailer.send(to, "customer_notice", NOTICE, IdempotencyKey("k-two"))
    assert len(sandbox.smtp.mails) == before


def test_a_line_break_in_a_subject_value_cannot_add_a_header(
    sandbox: Sandbox, context: Context
) -> None:
    smtp = sandbox.credentials["smtp"]
    mailer = make_email(smtp["host"], smtp["port"], context)
    hostile = {**NOTICE, "ticket": "812\r\nBcc: attacker@evil.example"}
    sent_id = mailer.send(
        "casey@customer.example", "customer_notice", hostile, IdempotencyKey("k3")
    )

    [mail] = [m for m in sandbox.smtp.mails if m.message["Message-ID"] == sent_id]
    assert mail.rcpt_tos == ("casey@customer.example",)
    assert mail.message["Bcc"] is None
    assert mail.subject.startswith("Update on your ticket 812")
