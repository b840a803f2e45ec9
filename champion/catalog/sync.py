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
from champion.catalog.models import ContentPage, Module, ModuleVersion, Series
from champion.content import Content, render_markdown, render_module, render_series_intro
from champion.content import Module as ModuleSource
from champion.content.render import RENDERER_VERSION, RenderedModule, render_modules
from champion.database import utcnow
from champion.extensions import db


class ContentInvalid(ValueError):
    """The content has errors; nothing was imported."""

    def __init__(self, content: Content) -> None:
        super().__init__(f"{len(content.errors)} error(s) in {content.root}")
        self.content = content


class SyncConflict(ValueError):
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
        series.retired_at = None
        report.series_changed += 1
    present = {s.slug for s in content.series}
    for slug, series in existing.items():
        if slug not in present and series.retired_at is None:
            series.retired_at = now
            report.series_changed += 1
    return existing


def _conflict(key: str, version: ModuleVersion, module: Module, source: ModuleSource) -> str:
    who = version.created_by.name if version.created_by else "someone"
    synced = db.session.scalar(
        select(func.max(ModuleVersion.number)).where(ModuleVersion.module_id == module.id,
                                                     ModuleVersion.origin == "files"))
    last_sync = f"version {synced}" if synced else "never synced"
    return (f"{key}: edited in the browser (version {version.number}, published by {who} on "
            f"{version.created_at:%Y-%m-%d %H:%M} UTC) and in its file {source.path} (now "
            f"{source.content_hash[:12]}; the file was last synced as {last_sync}). Export "
            "the browser's version (champion modules export) and merge the two, or sync with "
            "--force to keep the file")


def _sync_modules(
    content: Content, series_by_slug: dict[str, Series], report: SyncReport, now, force: bool
) -> None:
    existing = {
        (module.series.slug, module.slug): module
        for module in db.session.scalars(
            select(Module).options(
                selectinload(Module.series),
                selectinload(Module.current_version).selectinload(ModuleVersion.created_by),
            ).execution_options(populate_existing=True)  # compare with what is stored now
        )
    }
    conflicts = []
    for source in content.modules:
        module = existing.get((source.series, source.slug))
        current = module.current_version if module else None
        if (current is not None and current.origin == "web"
                and current.content_hash != source.content_hash
                and module.file_hash != source.content_hash and not force):
            conflicts.append(_conflict(source.key, current, module, source))
    if conflicts:
        raise SyncConflict(conflicts)

    plan = []
    for source in content.modules:
        module = existing.pop((source.series, source.slug), None)
        plan.append((source, module, _action(source, module)))
    # Everything sync will store is rendered in one batch (across cores when it is large).
    to_render = [source for source, _, action in plan if action in ("create", "update", "rerender")]
    rendered = dict(zip((s.key for s in to_render), render_modules(to_render), strict=True))
    for source, module, action in plan:
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
            if module.retired_at is not None:
                module.retired_at = None
                report.updated.append(source.key)
            else:
                report.unchanged.append(source.key)
        module.file_hash = source.content_hash
    for (series_slug, slug), module in existing.items():
        current = module.current_version
        if current is not None and current.origin == "web" and module.file_hash is None:
            report.web_newer.append(f"{series_slug}/{slug}")  # made in the browser: no file yet
        elif module.retired_at is None:
            module.retired_at = now
            report.retired.append(f"{series_slug}/{slug}")


def _action(source: ModuleSource, module: Module | None) -> str:
    """What sync does with one module file: create, update, rerender, keep, or web_newer."""
    if module is None:
        return "create"
    current = module.current_version
    if current is not None and current.content_hash == source.content_hash:
        return "rerender" if current.renderer != RENDERER_VERSION else "keep"
    if current is not None and current.origin == "web" and module.file_hash == source.content_hash:
        return "web_newer"  # the file is as last synced; the browser's edit came after
    return "update"


def _render_into(version: ModuleVersion, source: ModuleSource, rendered: RenderedModule) -> None:
    version.body_html = rendered.body_html
    version.slides = [{"html": s.html, "notes_html": s.notes_html} for s in rendered.slides]
    version.references_html = rendered.references_html
    if source.questions:
        version.quiz = rendered.quiz
    version.case_html = rendered.case_html
    version.renderer = RENDERER_VERSION


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
        slides_file=source.slides_file,
        body_html=rendered.body_html,
        slides=[{"html": s.html, "notes_html": s.notes_html} for s in rendered.slides],
        references_html=rendered.references_html,
        quiz=rendered.quiz if source.questions else None,
        question_count=len(source.questions),
        has_case=source.case is not None,
        case_title=rendered.case_title,
        case_html=rendered.case_html,
        renderer=RENDERER_VERSION,
        origin=origin,
        created_by=author,
        source=source.raw.decode("utf-8-sig"),
        case_source=source.case.raw.decode("utf-8-sig") if source.case else None,
    )
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
