"""Each version's rendered HTML, kept in the worker's memory once read.

A module version's rendered content (``ModuleVersion``'s deferred groups: the reading
view, the slides, the quiz, the case guide) never changes once written, except when sync
re-renders a version in place with a newer renderer, which changes ``renderer``. So the
content is cached per worker under (version id, content hash, renderer, group): a stale
entry cannot be found, only aged out. Pages ask for the group they show; a hit costs no
query and no JSON decoding, a miss one narrow query.

Values are shared between requests: treat them as read-only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask import current_app
from sqlalchemy import select

from champion.catalog.models import ModuleVersion
from champion.extensions import db

GROUPS: dict[str, tuple[str, ...]] = {
    "reading": ("body_html", "references_html"),
    "slides": ("slides",),
    "quiz": ("quiz",),
    "case": ("case_html", "handout_html"),
}

Key = tuple[int, str, int, str]


class RenderedCache:
    """A small thread-safe LRU of rendered groups (the curriculum is a few MB at most)."""

    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Key, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Key) -> dict[str, Any] | None:
        with self._lock:
            values = self._entries.get(key)
            if values is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return values

    def put(self, key: Key, values: dict[str, Any]) -> None:
        with self._lock:
            self._entries[key] = values
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


EXTENSION = "champion.rendered"


def init_app(app) -> None:
    app.extensions[EXTENSION] = RenderedCache(app.config.get("RENDERED_CACHE_ENTRIES", 512))


def rendered_group(version_id: int, content_hash: str, renderer: int, group: str) -> dict[str, Any]:
    """A version's ``group`` of rendered content, from the cache or the database once."""
    cache: RenderedCache = current_app.extensions[EXTENSION]
    key = (version_id, content_hash, renderer, group)
    values = cache.get(key)
    if values is None:
        names = GROUPS[group]
        columns = [getattr(ModuleVersion, name) for name in names]
        row = db.session.execute(select(*columns).where(ModuleVersion.id == version_id)).one()
        values = dict(zip(names, row, strict=True))
        cache.put(key, values)
    return values
