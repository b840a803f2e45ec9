"""Import a validated content folder into the database, all or nothing.

The caller owns the transaction: commit to keep the result, roll back for a dry run.
Only modules whose content hash changed are rendered, so an unchanged sync is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from champion.auth.models import User
from champion.badges.models import Badge
from champion.badges.operations import award_earned_badges
from champion.catalog.models import (
    POLICY_COLUMNS,
    ContentPage,
    Module,
    ModuleVersion,
    Series,
)
from champion.content import Content, render_markdown, render_module, render_series_intro
from champion.content import Module as ModuleSource
from champion.content.render import RENDERER_VERSION, RenderedModule, render_modules
from champion.database import utcnow
from champion.errors import OperationError
from champion.extensions import db


class ContentInvalid(OperationError):
    """The content has errors; nothing was imported."""

    def __init__(self, content: Content) -> None:
        super().__init__(f"{len(content.errors)} error(s) in {content.root}")
        self.content = content


class SyncConflict(OperationError):
    """Modules changed both in the browser and in their files since the last sync."""

    def __init__(self, conflicts: list[str]) -> None:
        super().__init__("; ".join(conflicts))
        self.conflicts = conflicts


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    web_newer: list[str] = field(default_factory=list)  # browser edits not yet exported
    series_changed: int = 0
    badges_changed: int = 0
    awards: int = 0

    def summary(self) -> str:
        text = (
            f"modules: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.retired)} retired"
        )
        if self.web_newer:
            text += (f"; {len(self.web_newer)} edited in the browser and not yet exported "
                     f"(kept): {', '.join(self.web_newer)}")
        return text


def sync_content(content: Content, force: bool = False) -> SyncReport:
    """Import ``content``. Raises SyncConflict (before writing anything) when a module was
    edited both in the browser and in its file since the last sync, unless ``force``, in
    which case the file wins (the browser's version stays in the history)."""
    if content.errors:
        raise ContentInvalid(content)
    report = SyncReport()
    now = utcnow()
    series_by_slug = _sync_series(content, report, now)
    _sync_modules(content, series_by_slug, report, now, force)
    _sync_badges(content, report, now)
    _sync_resources(content)
    db.session.flush()
    # A change of content can complete a badge's criteria for someone (a module made
    # optional, say): the badge is theirs the moment its criteria are met.
    report.awards = len(award_earned_badges())
    return report


def _sync_series(content: Content, report: SyncReport, now) -> dict[str, Series]:
    existing = {s.slug: s for s in db.session.scalars(select(Series))}
    for source in content.series:
        series = existing.get(source.slug)
        if series is None:
            series = Series(slug=source.slug)
            db.session.add(series)
            existing[source.slug] = series
        elif series.content_hash == source.content_hash and series.retired_at is None:
            continue
        series.title = source.title
        series.summary = source.summary
        series.position = source.order
        series.intro_html = render_series_intro(source)
        series.source = source.source
        series.content_hash = source.content_hash
        series.credit = source.credit.stored() if source.credit else None
        series.disclosures = source.disclosures.stored() if source.disclosures else None
        series.retired_at = None
        report.series_changed += 1
    present = {s.slug for s in content.series}
    for slug, series in existing.items():
        if slug not in present and series.retired_at is None:
            series.retired_at = now
            report.series_changed += 1
    return existing


@dataclass(frozen=True, slots=True)
class _Stored:
    """What sync compares a module file with: the module's row and its current version's.

    Read as plain columns in one query, so a module whose file is unchanged costs sync a
    row, not ORM objects; only the modules sync writes to are loaded as objects.
    """

    module_id: int
    file_hash: str | None  # the file as last synced or exported
    retired: bool
    version_id: int | None  # the current version, if any, and its:
    version_hash: str | None
    origin: str | None
    renderer: int | None


def _stored_modules() -> dict[tuple[str, str], _Stored]:
    """Every module, by (series slug, slug), as stored now."""
    rows = db.session.execute(
        select(Series.slug, Module.slug, Module.id, Module.file_hash, Module.retired_at,
               ModuleVersion.id, ModuleVersion.content_hash, ModuleVersion.origin,
               ModuleVersion.renderer)
        .join(Module.series)
        .outerjoin(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .order_by(Module.id)
    )
    return {
        (series, slug): _Stored(module_id, file_hash, retired_at is not None, version_id,
                                version_hash, origin, renderer)
        for (series, slug, module_id, file_hash, retired_at, version_id, version_hash, origin,
             renderer) in rows
    }


def _conflicts(content: Content, stored: dict[tuple[str, str], _Stored]) -> list[str]:
    """A message for each module edited both in the browser and in its file."""
    clashes = [
        (source, state) for source in content.modules
        if (state := stored.get((source.series, source.slug))) is not None
        and state.origin == "web" and state.version_hash != source.content_hash
        and state.file_hash != source.content_hash
    ]
    if not clashes:
        return []
    ids = [state.version_id for _, state in clashes]
    by_id = {version.id: version for version in db.session.scalars(
        select(ModuleVersion).where(ModuleVersion.id.in_(ids))
        .options(selectinload(ModuleVersion.created_by)))}
    return [_conflict(source, state, by_id[state.version_id]) for source, state in clashes]


def _conflict(source: ModuleSource, state: _Stored, version: ModuleVersion) -> str:
    who = version.created_by.name if version.created_by else "someone"
    synced = db.session.scalar(
        select(func.max(ModuleVersion.number)).where(ModuleVersion.module_id == state.module_id,
                                                     ModuleVersion.origin == "files"))
    last_sync = f"version {synced}" if synced else "never synced"
    return (f"{source.key}: edited in the browser (version {version.number}, published by "
            f"{who} on {version.created_at:%Y-%m-%d %H:%M} UTC) and in its file {source.path} "
            f"(now {source.content_hash[:12]}; the file was last synced as {last_sync}). "
            "Export the browser's version (champion modules export) and merge the two, or "
            "sync with --force to keep the file")


@dataclass(frozen=True, slots=True)
class _Step:
    """What sync does with one module file."""

    source: ModuleSource
    state: _Stored | None  # None: a new module
    action: str  # create, update, rerender, keep or web_newer: see _action

    @property
    def writes(self) -> bool:
        """Whether the stored module changes: only those are loaded as ORM objects."""
        return self.state is not None and (
            self.action in ("update", "rerender") or self.state.retired
            or self.state.file_hash != self.source.content_hash)


def _sync_modules(
    content: Content, series_by_slug: dict[str, Series], report: SyncReport, now, force: bool
) -> None:
    stored = _stored_modules()
    if not force and (conflicts := _conflicts(content, stored)):
        raise SyncConflict(conflicts)
    steps = []
    for source in content.modules:
        state = stored.pop((source.series, source.slug), None)
        steps.append(_Step(source, state, _action(source, state)))
    gone = stored  # what is left: modules whose file is no more
    # Everything sync will store is rendered in one batch (across cores when it is large).
    to_render = [step.source for step in steps if step.action in ("create", "update", "rerender")]
    rendered = dict(zip((s.key for s in to_render), render_modules(to_render), strict=True))
    modules = _load_modules(
        [step.state.module_id for step in steps if step.state and step.writes]
        + [state.module_id for state in gone.values() if _retires(state)]
    )
    for step in steps:
        module = modules.get(step.state.module_id) if step.state else None
        _apply(step, module, series_by_slug, rendered, report)
    for (series_slug, slug), state in gone.items():
        if _retires(state):
            modules[state.module_id].retired_at = now
            report.retired.append(f"{series_slug}/{slug}")
        elif _made_in_browser(state):
            report.web_newer.append(f"{series_slug}/{slug}")  # made in the browser: no file yet


def _apply(
    step: _Step, module: Module | None, series_by_slug: dict[str, Series],
    rendered: dict[str, RenderedModule], report: SyncReport,
) -> None:
    """Carry out ``step``; ``module`` is the stored module if the step writes to it."""
    source, state, action = step.source, step.state, step.action
    if action == "create":
        module = Module(series=series_by_slug[source.series], slug=source.slug)
        db.session.add(module)
        add_version(module, source, number=1, rendered=rendered[source.key])
        report.created.append(source.key)
    elif action == "web_newer":
        report.web_newer.append(source.key)  # the browser's edit is the newer one
    elif action == "update":
        current = module.current_version
        add_version(module, source, number=(current.number + 1) if current else 1,
                    rendered=rendered[source.key])
        module.retired_at = None
        report.updated.append(source.key)
    else:  # the stored version is this file: "keep", or "rerender" with today's renderer
        if action == "rerender":
            _render_into(module.current_version, source, rendered[source.key])
        if state.retired:
            module.retired_at = None
            report.updated.append(source.key)
        else:
            report.unchanged.append(source.key)
    if module is not None and module.file_hash != source.content_hash:
        module.file_hash = source.content_hash


def _action(source: ModuleSource, state: _Stored | None) -> str:
    """What sync does with one module file: create, update, rerender, keep, or web_newer."""
    if state is None:
        return "create"
    if state.version_hash == source.content_hash:
        return "rerender" if state.renderer != RENDERER_VERSION else "keep"
    if state.origin == "web" and state.file_hash == source.content_hash:
        return "web_newer"  # the file is as last synced; the browser's edit came after
    return "update"


def _made_in_browser(state: _Stored) -> bool:
    """A module created in the browser and never exported: it has no file yet."""
    return state.origin == "web" and state.file_hash is None


def _retires(state: _Stored) -> bool:
    """Whether a module whose file is gone is retired now (browser-made ones are kept)."""
    return not state.retired and not _made_in_browser(state)


def _load_modules(ids: list[int]) -> dict[int, Module]:
    """The modules ``ids`` with their current versions, as stored now (two queries)."""
    if not ids:
        return {}
    return {
        module.id: module
        for module in db.session.scalars(
            select(Module).where(Module.id.in_(ids))
            .options(selectinload(Module.current_version))
            .execution_options(populate_existing=True)  # compare with what is stored now
        )
    }


def _render_into(version: ModuleVersion, source: ModuleSource, rendered: RenderedModule) -> None:
    version.body_html = rendered.body_html
    version.slides = [{"html": s.html, "notes_html": s.notes_html} for s in rendered.slides]
    version.references_html = rendered.references_html
    if source.questions:
        version.quiz = rendered.quiz
    version.case_html = rendered.case_html
    version.handout_html = rendered.handout_html
    version.renderer = RENDERER_VERSION
    _store_policy(version, source)


def _store_policy(version: ModuleVersion, source: ModuleSource) -> None:
    for name in POLICY_COLUMNS:
        setattr(version, name, getattr(source.policy, name))


def add_version(
    module: Module, source: ModuleSource, number: int, origin: str = "files",
    author: User | None = None, rendered: RenderedModule | None = None,
) -> ModuleVersion:
    rendered = rendered or render_module(source)
    version = ModuleVersion(
        module=module,
        number=number,
        content_hash=source.content_hash,
        source_path=source.path,
        title=source.title,
        summary=source.summary,
        duration=source.duration,
        objectives=list(source.objectives),
        position=source.order,
        pass_mark=source.pass_mark,
        required=source.required,
        video=source.video,
        captions=source.captions,
        slides_file=source.slides_file,
        credit=source.credit.stored() if source.credit else None,
        body_html=rendered.body_html,
        slides=[{"html": s.html, "notes_html": s.notes_html} for s in rendered.slides],
        references_html=rendered.references_html,
        quiz=rendered.quiz if source.questions else None,
        question_count=len(source.questions),
        has_case=source.case is not None,
        case_title=rendered.case_title,
        case_html=rendered.case_html,
        handout_html=rendered.handout_html,
        renderer=RENDERER_VERSION,
        origin=origin,
        created_by=author,
        source=source.raw.decode("utf-8-sig"),
        case_source=source.case.raw.decode("utf-8-sig") if source.case else None,
    )
    _store_policy(version, source)
    db.session.add(version)
    module.current_version = version
    return version


def _sync_badges(content: Content, report: SyncReport, now) -> None:
    existing = {b.slug: b for b in db.session.scalars(select(Badge))}
    for source in content.badges:
        badge = existing.pop(source.slug, None)
        if badge is None:
            badge = Badge(slug=source.slug)
            db.session.add(badge)
        elif badge.content_hash == source.content_hash and badge.retired_at is None:
            continue
        badge.name = source.name
        badge.description = source.description
        badge.narrative = source.narrative
        badge.criteria_series = list(source.series)
        badge.criteria_modules = list(source.modules)
        badge.image_path = source.image
        badge.image = source.image_bytes
        badge.image_media_type = source.image_media_type
        badge.png = source.png_bytes
        badge.valid_for_days = source.valid_for_days
        badge.content_hash = source.content_hash
        badge.retired_at = None
        report.badges_changed += 1
    for badge in existing.values():
        if badge.retired_at is None:  # awards already made stay valid
            badge.retired_at = now
            report.badges_changed += 1


def _sync_resources(content: Content) -> None:
    badges_page = db.session.get(ContentPage, "badges.yml")
    if content.badges_source is not None:
        if badges_page is None:
            badges_page = ContentPage(slug="badges.yml", html="", content_hash="")
            db.session.add(badges_page)
        badges_page.source = content.badges_source
    elif badges_page is not None:
        db.session.delete(badges_page)
    page = db.session.get(ContentPage, "resources")
    if content.resources is None:
        if page is not None:
            db.session.delete(page)
        return
    if page is None:
        page = ContentPage(slug="resources")
        db.session.add(page)
    elif page.content_hash == content.resources_hash:
        return
    page.html = render_markdown(content.resources)
    page.source = content.resources
    page.content_hash = content.resources_hash or ""
