"""Signing keys kept as files in the instance folder, made once."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's bytes, writing ``make()`` there first (mode 0600) if it doesn't exist.

    Atomic across workers: the first to create the file wins and the others read theirs.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        data = make()
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker made it first: use theirs
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
    return path.read_bytes()
