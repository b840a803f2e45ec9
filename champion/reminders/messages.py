"""Building the emails: plain text and HTML parts, calendar files, unsubscribe headers."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template, url_for

from champion.reminders.tokens import unsubscribe_token

# RFC 5322's own line limit: a long List-Unsubscribe URL must stay one plain header, as
# mail clients read it, not be folded into encoded words at 78 characters.
POLICY = policy.default.clone(max_line_length=998)


def unsubscribe_url(user_id: int, kind: str) -> str:
    return url_for("reminders.unsubscribe_page", token=unsubscribe_token(user_id, kind),
                   _external=True)


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
) -> EmailMessage:
    """``template``.txt and .html rendered with ``context``; ``attachments`` are calendar
    files (name, bytes). Every message carries its one-click unsubscribe (RFC 8058)."""
    unsubscribe = unsubscribe_url(user_id, kind)
    context.update(unsubscribe_url=unsubscribe, preferences_url=url_for(
        "reminders.preferences_page", _external=True), subject=subject)
    message = EmailMessage(policy=POLICY)
    message["From"] = current_app.config["CHAMPION_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="champion")
    if reply_to:
        message["Reply-To"] = reply_to
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_template(f"reminders/email/{template}.txt", **context))
    message.add_alternative(render_template(f"reminders/email/{template}.html", **context),
                            subtype="html")
    for filename, data in attachments:
        message.add_attachment(data, maintype="text", subtype="calendar", filename=filename,
                               params={"method": "PUBLISH"})
    return message
