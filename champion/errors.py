"""The one base of the errors operations raise for a person to read.

Views and commands catch :class:`OperationError` (or a subclass) and show its message,
through :func:`champion.filters.sentence`; they never catch ``ValueError``, which would
swallow programming errors too.
"""

from __future__ import annotations


class OperationError(Exception):
    """An operation refused: the message says what and why, in the user's terms."""
