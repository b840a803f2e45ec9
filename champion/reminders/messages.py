"""Building the emails: plain text and HTML parts, calendar files, unsubscribe headers.

The MIME structure is always the same (multipart/mixed: a multipart/alternative of text
and HTML in quoted-printable, then each calendar file in base64), so it is written out
here rather than assembled by the ``email`` package, whose header parsing and generator
made building a message cost several times more than sending it (bench/reminders.py).
The tests parse every message back with the ``email`` package and icalendar.
"""

from __future__ import annotations

import base64
import quopri
import secrets
from dataclasses import dataclass
from email.header import Header
from email.utils import formatdate, make_msgid

from flask import current_app, render_template, url_for

from champion.reminders.tokens import unsubscribe_token


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    data: bytes  # the whole message, as sent (CRLF line ends)


def unsubscribe_url(user_id: int, kind: str) -> str:
    return url_for("reminders.unsubscribe_page", token=unsubscribe_token(user_id, kind),
                   _external=True)


def _header(name: str, value: str) -> str:
    # One line, whatever was typed: a CR or LF in a lead's subject (or a department's name)
    # would otherwise start headers of its own (a Bcc, a forged From) in every copy.
    value = " ".join(value.splitlines())
    if not value.isascii():
        value = Header(value, "utf-8").encode(linesep="\n")
    return f"{name}: {value}"


def _text_part(body: str, subtype: str) -> str:
    encoded = quopri.encodestring(body.encode("utf-8")).decode("ascii")
    return (f'Content-Type: text/{subtype}; charset="utf-8"\n'
            f"Content-Transfer-Encoding: quoted-printable\n\n{encoded}")


def _calendar_part(filename: str, data: bytes) -> str:
    return ('Content-Type: text/calendar; charset="utf-8"; method=PUBLISH\n'
            "Content-Transfer-Encoding: base64\n"
            f'Content-Disposition: attachment; filename="{filename}"\n\n'
            + base64.encodebytes(data).decode("ascii"))


def _multipart(subtype: str, parts: list[str]) -> str:
    boundary = f"==champion-{secrets.token_hex(12)}=="
    body = "".join(f"--{boundary}\n{part.rstrip(chr(10))}\n" for part in parts)
    return (f'Content-Type: multipart/{subtype}; boundary="{boundary}"\n\n'
            f"{body}--{boundary}--\n")


def build_email(
    *,
    to: str,
    subject: str,
    template: str,
    user_id: int,
    kind: str,
    reply_to: str | None = None,
    attachments: list[tuple[str, bytes]] = (),
    **context,
) -> Email:
    """``template``.txt and .html rendered with ``context``; ``attachments`` are calendar
    files (name, bytes). Every message carries its one-click unsubscribe (RFC 8058)."""
    unsubscribe = unsubscribe_url(user_id, kind)
    context.update(unsubscribe_url=unsubscribe, preferences_url=url_for(
        "reminders.preferences_page", _external=True), subject=subject)
    alternative = _multipart("alternative", [
        _text_part(render_template(f"reminders/email/{template}.txt", **context), "plain"),
        _text_part(render_template(f"reminders/email/{template}.html", **context), "html")])
    body = (_multipart("mixed", [alternative] + [_calendar_part(name, data)
                                                for name, data in attachments])
            if attachments else alternative)
    headers = [
        _header("From", current_app.config["CHAMPION_MAIL_FROM"]),
        _header("To", to),
        _header("Subject", subject),
        f"Date: {formatdate(usegmt=True)}",
        f"Message-ID: {make_msgid(domain='champion')}",
        *([_header("Reply-To", reply_to)] if reply_to else []),
        f"List-Unsubscribe: <{unsubscribe}>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "Auto-Submitted: auto-generated",
        "MIME-Version: 1.0",
    ]
    text = "\n".join(headers) + "\n" + body
    return Email(to, subject, text.replace("\n", "\r\n").encode("ascii"))
