"""smtplib delivers to the sandbox's SMTP server, which keeps what it received."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from sandbox import Sandbox


def test_a_sent_mail_is_kept_with_its_recipients_subject_and_body(sandbox: Sandbox) -> None:
    creds = sandbox.credentials["smtp"]
    message = EmailMessage()
    message["From"] = "bridge@example.com"
    message["To"] = "casey@customer.example"
    message["Subject"] = "Your fix has shipped"
    message.set_content("Hello Casey, the fix for ticket 100 is live.")
    with smtplib.SMTP(creds["host"], creds["port"]) as client:
        client.send_message(message)
    kept = next(m for m in sandbox.smtp.mails if m.subject == "Your fix has shipped")
    assert kept.rcpt_tos == ("casey@customer.example",)
    assert "the fix for ticket 100 is live" in kept.text
