"""Handing many messages to one SMTP server over one connection.

A message the server refuses, or a connection that drops, fails that message only: the
caller records it and the next run tries again. After ``MAX_CONNECT_FAILURES`` failed
attempts in a row to reach the server, the rest of the batch fails at once rather than
wait for a server that is down.
"""

from __future__ import annotations

import contextlib
import smtplib
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from flask import current_app

from champion.mail import connect
from champion.reminders.messages import Email

MAX_CONNECT_FAILURES = 3
CONNECTIONS = 4  # messages in flight at once, each on its own connection
IN_FLIGHT = 64  # messages built ahead of the senders


class NotSent(Exception):
    """The message was not accepted; the text says why."""


class Outbox:
    """One SMTP connection, opened when the first message goes. ``config`` is the app's
    (passed in by threads that have no app context)."""

    def __init__(self, config=None) -> None:
        self.config = config if config is not None else current_app.config
        self.smtp: smtplib.SMTP | None = None
        self.connect_failures = 0

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.smtp.quit()
            self.smtp = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        if self.connect_failures >= MAX_CONNECT_FAILURES:
            raise NotSent("the mail server could not be reached")
        try:
            smtp = connect(config)
        except (OSError, smtplib.SMTPException) as exc:
            self.connect_failures += 1
            raise NotSent(f"the mail server could not be reached: {exc}") from exc
        self.connect_failures = 0
        return smtp

    def send(self, message: Email) -> None:
        """Hand ``message`` to the server, or raise NotSent."""
        if not self.config.get("CHAMPION_SMTP_HOST"):
            raise NotSent("no mail server is configured (CHAMPION_SMTP_HOST)")
        for attempt in range(2):  # a connection the server closed is opened once more
            if self.smtp is None:
                self.smtp = self._connect()
            try:
                self.smtp.sendmail(self.config["CHAMPION_MAIL_FROM"], [message.to], message.data)
                return
            except smtplib.SMTPServerDisconnected as exc:
                self.smtp = None
                if attempt:
                    raise NotSent(f"the mail server closed the connection: {exc}") from exc
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code == 421:  # the server is closing this connection
                    self.close()
                else:
                    self._reset()
                raise NotSent(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            except smtplib.SMTPRecipientsRefused as exc:
                self._reset()
                raise NotSent(f"recipient refused: {exc.recipients}") from exc
            except (OSError, smtplib.SMTPException) as exc:
                self.close()
                raise NotSent(str(exc) or type(exc).__name__) from exc

    def _reset(self) -> None:
        try:
            if self.smtp is not None:
                self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()


def deliver_all(messages: Iterable[tuple[int, Email]]) -> Iterator[tuple[int, Email, str | None]]:
    """Send every (person id, message) over CONNECTIONS connections at once; yield each
    with None once accepted, or the reason it was not, in the order given.

    Sending waits on the network far more than it computes, so a few connections in
    threads multiply the rate; the caller's thread builds the messages and records the
    results (the database session never leaves it).
    """
    config = current_app.config
    local = threading.local()
    outboxes: list[Outbox] = []
    lock = threading.Lock()

    def send(message: Email) -> str | None:
        outbox = getattr(local, "outbox", None)
        if outbox is None:
            outbox = local.outbox = Outbox(config)
            with lock:
                outboxes.append(outbox)
        try:
            outbox.send(message)
        except NotSent as exc:
            return str(exc)[:500]
        return None

    pending: deque[tuple[int, Email, Future]] = deque()
    with ThreadPoolExecutor(CONNECTIONS, thread_name_prefix="smtp") as pool:
        try:
            for user_id, message in messages:
                pending.append((user_id, message, pool.submit(send, message)))
                while len(pending) >= IN_FLIGHT:
                    user_id, message, future = pending.popleft()
                    yield user_id, message, future.result()
            while pending:
                user_id, message, future = pending.popleft()
                yield user_id, message, future.result()
        finally:
            for outbox in outboxes:
                outbox.close()
