"""The live catalog — series, modules and their current versions — kept in each worker.

Live content changes only when it is written: sync, publishing, restoring, retiring. Every
such write draws a new ``content_state.stamp`` in the same transaction (``_note_changes``
below watches every flush, so no writer can forget). A page reads that one number and
rebuilds the worker's copy only when it differs; otherwise the catalog costs it no other
query and no ORM objects. The copy is made of frozen records, shared read-only by every
request and thread of the worker.

Reading the stamp first and the content after means a copy never holds content older
than its stamp: at worst it is rebuilt once more than needed. A copy built inside a
transaction that writes content carries that transaction's stamp; if it rolls back, the
stamp (random) is never seen again, so the copy is never used again.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context, request
from markupsafe import Markup
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from champion.badges.models import Badge
from champion.badges.queries import criteria_module_ids
from champion.catalog.models import ContentPage, ContentState, Module, ModuleVersion, Series
from champion.catalog.rendered import rendered_group
from champion.content.model import QuizPolicy
from champion.extensions import db

EXTENSION = "champion.live"

# What the live copy is made of: a change to any of these is a change to live content.
CONTENT_MODELS = (Series, Module, ModuleVersion, Badge, ContentPage)


@dataclass(frozen=True, slots=True)
class LiveSeries:
    id: int
    slug: str
    title: str
    summary: str | None
    intro_html: str
    position: int
    credit: bool = False  # designates continuing education credit (disclosures come first)
    module_credit: bool = False  # a module of it designates credit of its own (likewise)

    @property
    def credit_bearing(self) -> bool:
        return self.credit or self.module_credit


@dataclass(frozen=True, slots=True)
class LiveVersion:
    """A module's current version; the rendered groups are filled per page (``with_content``)."""

    id: int
    module_id: int
    number: int
    content_hash: str
    renderer: int
    title: str
    summary: str | None
    duration: int
    objectives: tuple[str, ...]
    position: int
    pass_mark: int
    required: bool
    video: str | None
    captions: str | None
    slides_file: str | None
    question_count: int
    has_case: bool
    case_title: str | None
    created_at: datetime
    credit: bool = False  # designates credit of its own (docs/credit.md)
    policy: QuizPolicy = field(default_factory=QuizPolicy)
    body_html: str | None = None
    references_html: str | None = None
    slides: list[dict[str, Any]] | None = None
    quiz: dict[str, Any] | None = None
    case_html: str | None = None
    handout_html: str | None = None

    @property
    def has_quiz(self) -> bool:
        return self.question_count > 0

    @classmethod
    def from_model(cls, v: ModuleVersion) -> LiveVersion:
        """The version's metadata; rendered content comes later (``with_content``)."""
        return cls(
            id=v.id, module_id=v.module_id, number=v.number, content_hash=v.content_hash,
            renderer=v.renderer, title=v.title, summary=v.summary, duration=v.duration,
            objectives=tuple(v.objectives or ()), position=v.position, pass_mark=v.pass_mark,
            required=v.required, video=v.video, captions=v.captions,
            slides_file=v.slides_file,
            question_count=v.question_count, has_case=v.has_case, case_title=v.case_title,
            created_at=v.created_at, credit=v.credit is not None, policy=v.policy,
        )

    def with_content(self, group: str) -> LiveVersion:
        """This version with one group of rendered content ("reading", "slides", ...)."""
        return replace(self, **rendered_group(self.id, self.content_hash, self.renderer, group))


@dataclass(frozen=True, slots=True)
class LiveModule:
    id: int
    slug: str
    series: LiveSeries
    version: LiveVersion


@dataclass(frozen=True, slots=True)
class LiveBadge:
    id: int
    slug: str
    name: str
    valid_for_days: int | None
    # The live modules its criteria require: every required module of its series, and
    # the modules it names (see badges.queries.criteria_module_ids).
    module_ids: frozenset[int]


@dataclass(frozen=True)
class LiveCatalog:
    stamp: int
    series: tuple[LiveSeries, ...] = ()
    modules: dict[int, tuple[LiveModule, ...]] = field(default_factory=dict)  # by series id
    by_path: dict[tuple[str, str], LiveModule] = field(default_factory=dict)
    badges: tuple[LiveBadge, ...] = ()  # live badges, oldest first
    pages: frozenset[str] = frozenset()  # slugs of the content folder's pages (resources)
    # HTML that depends only on this catalog and a few plain values, rendered once per
    # worker and copy (see ``fragment``).
    fragments: dict[tuple, Markup] = field(default_factory=dict, compare=False)

    def module(self, series_slug: str, module_slug: str) -> LiveModule | None:
        return self.by_path.get((series_slug, module_slug))

    @property
    def badge(self) -> LiveBadge | None:
        """The badge learners are working towards: the first live one."""
        return self.badges[0] if self.badges else None


class LiveCatalogCache:
    """The worker's copy, replaced whole (one reference swap) when the stamp changes."""

    def __init__(self) -> None:
        self.current: LiveCatalog | None = None
        self.builds = 0
        self._lock = threading.Lock()

    def get(self) -> LiveCatalog:
        stamp = current_stamp()
        current = self.current
        if current is not None and current.stamp == stamp:
            return current
        with self._lock:  # one thread rebuilds; the others then find its copy
            current = self.current
            if current is None or current.stamp != stamp:
                current = self.current = _build(stamp)
                self.builds += 1
            return current


_STAMP = select(ContentState.stamp).where(ContentState.id == 1)


def current_stamp() -> int:
    return db.session.execute(_STAMP).scalar() or 0


def live_catalog() -> LiveCatalog:
    """The live catalog as of now, from the worker's copy when nothing has changed.

    Within a request it is read once: every part of a page sees the same catalog.
    """
    if not has_request_context():
        return current_app.extensions[EXTENSION].get()
    live = request.environ.get(EXTENSION)
    if live is None:
        live = request.environ[EXTENSION] = current_app.extensions[EXTENSION].get()
    return live


def fragment(key: tuple, render: Callable[[], str]) -> Markup:
    """HTML cached with the live catalog: ``key`` must name everything ``render`` reads."""
    fragments = live_catalog().fragments
    html = fragments.get(key)
    if html is None:
        html = fragments[key] = Markup(render())
    return html


def has_page(slug: str) -> bool:
    """Whether the content folder has the page ``slug`` (the nav links only to pages that exist)."""
    return slug in live_catalog().pages


def init_app(app) -> None:
    app.extensions[EXTENSION] = LiveCatalogCache()
    app.add_template_global(has_page)


def _build(stamp: int) -> LiveCatalog:
    series = tuple(
        LiveSeries(s.id, s.slug, s.title, s.summary, s.intro_html, s.position,
                   s.credit is not None)
        for s in db.session.scalars(
            select(Series).where(Series.retired_at.is_(None)).order_by(Series.position,
                                                                        Series.slug))
    )
    by_id = {s.id: s for s in series}
    modules: dict[int, list[LiveModule]] = {s.id: [] for s in series}
    rows = db.session.execute(
        select(Module.id, Module.slug, Module.series_id, ModuleVersion)
        .join(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .where(Module.series_id.in_(by_id), Module.retired_at.is_(None))
        .order_by(ModuleVersion.position, Module.slug)
    ).all()
    # A series with a credit module is credit-bearing too: its disclosures come first.
    credit_ids = {series_id for _, _, series_id, v in rows if v.credit is not None}
    by_id = {i: replace(s, module_credit=True) if i in credit_ids else s for i, s in by_id.items()}
    series = tuple(by_id[s.id] for s in series)
    for module_id, slug, series_id, v in rows:
        modules[series_id].append(
            LiveModule(module_id, slug, by_id[series_id], LiveVersion.from_model(v)))
    badges = db.session.scalars(
        select(Badge).where(Badge.retired_at.is_(None)).order_by(Badge.id)).all()
    needed = criteria_module_ids(badges)
    return LiveCatalog(
        stamp=stamp,
        series=series,
        modules={series_id: tuple(entries) for series_id, entries in modules.items()},
        by_path={(m.series.slug, m.slug): m for entries in modules.values() for m in entries},
        badges=tuple(LiveBadge(b.id, b.slug, b.name, b.valid_for_days, frozenset(needed[b.id]))
                     for b in badges),
        pages=frozenset(db.session.scalars(select(ContentPage.slug))),
    )


@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context, _instances) -> None:
    """Draw a new stamp in the transaction that writes live content."""
    changed = any(isinstance(obj, CONTENT_MODELS) for obj in session.new) or any(
        isinstance(obj, CONTENT_MODELS) and session.is_modified(obj) for obj in session.dirty
    ) or any(isinstance(obj, CONTENT_MODELS) for obj in session.deleted)
    if not changed:
        return
    state = ContentState.__table__
    connection = session.connection()  # Core: the flush under way is not disturbed
    stamp = secrets.randbits(62)
    if not connection.execute(update(state).where(state.c.id == 1).values(stamp=stamp)).rowcount:
        connection.execute(insert(state).values(id=1, stamp=stamp))  # the row was deleted

