"""Sending email: over SMTP when CHAMPION_SMTP_HOST is set, else to the log (development)."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from flask import current_app


def connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    """A connection to the configured SMTP server, secured and signed in as configured: the
    one place that knows how (single notices here, reminder batches in champion/reminders)."""
    smtp = smtplib.SMTP(config["CHAMPION_SMTP_HOST"], config["CHAMPION_SMTP_PORT"], timeout=10)
    try:
        if config.get("CHAMPION_SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("CHAMPION_SMTP_USERNAME"):
            smtp.login(config["CHAMPION_SMTP_USERNAME"], config["CHAMPION_SMTP_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message; True if an SMTP server accepted it."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["CHAMPION_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    host = config.get("CHAMPION_SMTP_HOST")
    if not host:
        level = current_app.logger.warning if config["CHAMPION_ENV"] == "production" else \
            current_app.logger.info
        level("email not sent (CHAMPION_SMTP_HOST is not set) to %s: %s\n%s", to, subject, body)
        return False
    with connect(config) as smtp:
        smtp.send_message(message)
    return True


def notify(to: str, subject: str, body: str) -> bool:
    """Send a notice whose failure must not undo the change it reports (a mail server
    down never refuses a registration or a roster); False, and a log line, if not sent."""
    try:
        return send_mail(to, subject, body)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("email to %s not sent: %s", to, subject)
        return False
