"""Authoring in the browser: drafts, quizzes, media, publishing, restoring. Files and
database agree because a draft *is* the module's Markdown, parsed and rendered exactly as
sync does. Every write of the educators' area is here; the views only call these."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from champion.audit.operations import record
from champion.auth.models import User
from champion.badges.operations import award_earned_badges
from champion.catalog.models import Module, ModuleDraft, ModuleVersion, Series
from champion.catalog.sync import add_version
from champion.content import Module as ModuleSource
from champion.content import Problem, Question
from champion.content.limits import MAX_QUESTIONS, markup_problem
from champion.content.loader import SLUG, parse_module_source
from champion.content.writer import edit_module, write_module
from champion.errors import OperationError
from champion.extensions import db


class AuthoringError(OperationError):
    """The change can't be made; ``problems`` say where."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def content_root() -> Path:
    return Path(current_app.config["CHAMPION_MODULES_DIR"])


def parse_draft(draft: ModuleDraft) -> tuple[ModuleSource | None, list[Problem]]:
    return parse_module_source(content_root(), draft.series.slug, draft.filename,
                               draft.source, draft.case_source, staged=staging_dir(draft))


def draft_for(module: Module, actor: User) -> ModuleDraft:
    """The module's draft, started from its current version if there is none yet."""
    draft = db.session.scalar(select(ModuleDraft).where(ModuleDraft.module_id == module.id))
    if draft is not None:
        return draft
    version = module.current_version
    if version is None or version.source is None:
        raise AuthoringError("this module has no stored text to edit yet: ask your "
                             "administrator to load the content again")
    draft = ModuleDraft(
        module=module, series=module.series, filename=Path(version.source_path).name,
        source=version.source, case_source=version.case_source, base_version_id=version.id,
        updated_by_id=actor.id,
    )
    db.session.add(draft)
    return draft


def new_module_draft(series: Series, slug: str, title: str, duration: int,
                     actor: User) -> ModuleDraft:
    if not SLUG.match(slug):
        raise AuthoringError("use lowercase words joined by - for the slug, e.g. pain-basics")
    taken = db.session.scalar(select(Module.id).where(Module.series_id == series.id,
                                                      Module.slug == slug))
    drafted = db.session.scalar(select(ModuleDraft.id).where(
        ModuleDraft.series_id == series.id, ModuleDraft.filename.like(f"%-{slug}.md")))
    if taken or drafted:
        raise AuthoringError(f"{series.slug} already has a module called {slug}")
    position = (db.session.scalar(
        select(func.max(ModuleVersion.position)).join(Module, Module.current_version_id ==
                                                      ModuleVersion.id)
        .where(Module.series_id == series.id)) or 0) + 1
    source = write_module(
        {"title": title, "duration": duration},
        "## " + title + "\n\nWrite the first slide here. A line holding only --- between "
        "blank lines starts the next slide.",
    )
    draft = ModuleDraft(series=series, filename=f"{position:02d}-{slug}.md", source=source,
                        updated_by_id=actor.id)
    db.session.add(draft)
    db.session.flush()
    record(actor, "draft.create", draft, f"new module {series.slug}/{slug} drafted")
    return draft


def save_draft(draft: ModuleDraft, source: str, case_source: str | None, actor: User) -> None:
    """Store the draft's Markdown; refuse Markdown too large or too costly to render."""
    for what, text in (("the module", source), ("the case guide", case_source or "")):
        if problem := markup_problem(text):
            line, message = problem
            raise AuthoringError(f"{what}'s Markdown, line {line}: {message}")
    draft.source = source
    draft.case_source = case_source
    draft.updated_by_id = actor.id


def save_quiz(draft: ModuleDraft, parsed: ModuleSource, questions: Sequence[Question],
              actor: User) -> None:
    """Replace the draft's quiz with ``questions``, keeping everything else as it is."""
    source = edit_module(draft.source, parsed.meta, parsed.presentation_source,
                         parsed.references, questions)
    save_draft(draft, source, draft.case_source if parsed.case else None, actor)


def import_quiz(draft: ModuleDraft, parsed: ModuleSource, imported: Sequence[Question],
                replace: bool, actor: User) -> None:
    """Questions from a GIFT file: replacing the draft's quiz, or added after it."""
    questions = list(imported) if replace else [*parsed.questions, *imported]
    if len(questions) > MAX_QUESTIONS:
        raise AuthoringError(f"the quiz would have {len(questions)} questions; a quiz holds at "
                             f"most {MAX_QUESTIONS}")
    source = edit_module(draft.source, parsed.meta, parsed.presentation_source,
                         parsed.references, questions)
    save_draft(draft, source, draft.case_source, actor)
    record(actor, "quiz.import", draft, f"{len(imported)} GIFT questions imported into "
           f"{draft.series.slug}/{draft.filename}")


def discard_draft(draft: ModuleDraft, actor: User) -> None:
    record(actor, "draft.discard", draft,
           f"draft of {draft.series.slug}/{draft.filename} discarded")
    shutil.rmtree(staging_dir(draft).parent, ignore_errors=True)
    db.session.delete(draft)


# --- media ----------------------------------------------------------------------------

MEDIA_TYPES = {  # suffix -> (magic prefix test, limit in bytes)
    ".png": (lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"), 5 * 1024 * 1024),
    ".jpg": (lambda b: b.startswith(b"\xff\xd8\xff"), 5 * 1024 * 1024),
    ".jpeg": (lambda b: b.startswith(b"\xff\xd8\xff"), 5 * 1024 * 1024),
    ".gif": (lambda b: b[:6] in (b"GIF87a", b"GIF89a"), 5 * 1024 * 1024),
    ".webp": (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP", 5 * 1024 * 1024),
    ".pdf": (lambda b: b.startswith(b"%PDF-"), 25 * 1024 * 1024),
    ".vtt": (lambda b: b.removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT"), 1024 * 1024),
}
MEDIA_LIMIT = max(limit for _, limit in MEDIA_TYPES.values())


def media_dir(series: Series) -> Path:
    return content_root() / series.slug / "media"


def staging_dir(draft: ModuleDraft) -> Path:
    """Where a draft's uploads wait until it is published: beside the instance's other
    private files, never in the content folder that ``/modules/<series>/media/`` serves."""
    root = current_app.config.get("CHAMPION_DRAFTS_DIR") or Path(current_app.instance_path,
                                                                  "drafts")
    return Path(root) / str(draft.id) / "media"


@dataclass(frozen=True)
class MediaFile:
    name: str
    staged: bool  # uploaded for this draft, published with it


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def media_files(draft: ModuleDraft) -> list[MediaFile]:
    """The series' published media, then this draft's staged uploads."""
    return ([MediaFile(name, False) for name in _names(media_dir(draft.series))]
            + [MediaFile(name, True) for name in _names(staging_dir(draft))])


def save_media(draft: ModuleDraft, filename: str, data: bytes, actor: User) -> str:
    """Stage an uploaded image or PDF with the draft; its stored name.

    The type is decided by the file's bytes, not its name. The file is private to the
    educators' area until the draft is published (``publish`` moves it into the series'
    ``media/`` folder). A name already taken, published or staged, gets a number, so an
    upload never replaces a file a published module may show.
    """
    name = secure_filename(filename or "").lower()
    suffix = Path(name).suffix
    if suffix not in MEDIA_TYPES:
        raise AuthoringError("upload a PNG, JPEG, GIF or WebP image, a PDF, or captions "
                             "(a WebVTT .vtt file)")
    looks_right, limit = MEDIA_TYPES[suffix]
    if not looks_right(data):
        raise AuthoringError(f"the file's contents are not a {suffix[1:].upper()} file")
    if len(data) > limit:
        raise AuthoringError(f"the file is larger than {limit // (1024 * 1024)} MB")
    folder, published = staging_dir(draft), media_dir(draft.series)
    folder.mkdir(parents=True, exist_ok=True)
    stem, stored = Path(name).stem or "file", name
    counter = 2
    while (folder / stored).exists() or (published / stored).exists():
        stored = f"{stem}-{counter}{suffix}"
        counter += 1
    (folder / stored).write_bytes(data)
    record(actor, "media.upload", draft,
           f"{stored} uploaded for the draft of {draft.series.slug}/{draft.filename}")
    return stored


def _publish_media(draft: ModuleDraft) -> None:
    """Move the draft's staged uploads into the series' media folder.

    Refused, before anything is moved, if another draft published a different file under
    the same name meanwhile. Files are moved before the version's transaction commits: if
    it then fails, the draft still finds them (published), so nothing is lost.
    """
    staged, published = staging_dir(draft), media_dir(draft.series)
    names = _names(staged)
    for name in names:
        target = published / name
        if target.exists() and target.read_bytes() != (staged / name).read_bytes():
            raise AuthoringError(f"another module published a different media/{name} while "
                                 "this draft was open: upload yours again under another name")
    published.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.move(staged / name, published / name)
    shutil.rmtree(staged.parent, ignore_errors=True)


def publish(draft: ModuleDraft, actor: User) -> ModuleVersion:
    """Turn the draft into a new published version; learners see it from now on."""
    parsed, problems = parse_draft(draft)
    errors = [p for p in problems if p.severity == "error"]
    if parsed is None or errors:
        raise AuthoringError("the draft has errors; fix them before publishing", errors)
    module = draft.module
    if module is None:
        module = Module(series=draft.series, slug=parsed.slug)
        db.session.add(module)
        number = 1
    else:
        number = (module.current_version.number + 1) if module.current_version else 1
        if parsed.slug != module.slug:
            raise AuthoringError("a published module's slug can't change: it is its identity")
    _publish_media(draft)
    version = add_version(module, parsed, number=number, origin="web", author=actor)
    module.retired_at = None
    db.session.delete(draft)
    db.session.flush()
    record(actor, "module.publish", module,
           f"{draft.series.slug}/{module.slug} version {number} published",
           version=number)
    award_earned_badges()  # a change of content can complete someone's criteria
    return version


def restore(version: ModuleVersion, actor: User) -> ModuleDraft:
    """An earlier version, as the module's draft (replacing any draft)."""
    if version.source is None:
        raise AuthoringError("that version has no stored Markdown to restore")
    module = version.module
    draft = draft_for(module, actor)
    draft.source, draft.case_source = version.source, version.case_source
    draft.base_version_id = version.id
    draft.updated_by_id = actor.id
    record(actor, "module.restore", module,
           f"{module.series.slug}/{module.slug}: version {version.number} restored as a draft")
    return draft
